import type { Express } from 'express';
import jwt from 'jsonwebtoken';
import { KORE_PREFIXES } from '../../src/api/dialects/kore/routes';
import { jacksonJson } from '../../src/api/dialects/voltmx/jackson';
import { VOLTMX_PREFIX } from '../../src/api/dialects/voltmx/routes';
import { signJwt } from '../../src/api/jwt';
import { errorResponseSchema } from '../../src/api/v1/schemas';
import { MAX_CONTACTS_PER_REQUEST } from '../../src/campaigns/schemas';
import { signPayload } from '../../src/dialers/signature';
import { syntheticNumbers } from '../../src/phones/synthetic-numbers';
import { mulberry32 } from '../../src/seeded-random';

/**
 * A seeded generator of bad requests over every route of every dialect, and what each dialect's
 * error envelope must look like. The fuzz test sends a few thousand; the bench can send more with
 * the same generator. Each request is bad in a way its route must refuse with a 4xx: a request that
 * names one of the real campaigns only ever carries a fault the route checks before it changes
 * anything, so the campaigns the test seeds stay as they were.
 */

export type Dialect = 'voicegenie' | 'kore' | 'voltmx' | 'v1' | 'webhook';
export const dialects: readonly Dialect[] = ['voicegenie', 'kore', 'voltmx', 'v1', 'webhook'];

export const faultKinds = [
  'auth',
  'cross-tenant',
  'bad-id',
  'invalid-field',
  'malformed-body',
  'noise',
  'wrong-method',
] as const;
export type FaultKind = (typeof faultKinds)[number];

export interface FuzzAccount {
  id: string;
  apiKey: string;
  appId: string;
  jwtSecret: string;
}

export interface FuzzContext {
  /** Owns `campaigns`. */
  account: FuzzAccount;
  /** Another tenant, with valid credentials of its own. */
  other: FuzzAccount;
  /** A key of `account` that has been revoked. */
  revokedApiKey: string;
  /** Real campaigns of `account`, which requests name with faults that leave them unchanged. */
  campaigns: readonly { id: string; numericId: number; code: string }[];
  webhookSecret: string;
  /** BODY_LIMIT in bytes. */
  bodyLimitBytes: number;
}

export interface FuzzRequest {
  /** Position in the sequence (0-based). */
  n: number;
  dialect: Dialect;
  /** The route as served: `POST /v1/campaigns/:id/start`. */
  route: string;
  kind: FaultKind;
  /** What exactly is wrong, e.g. `auth: revoked key` or `contacts: 1001 contacts`. */
  fault: string;
  method: string;
  /** Path and query as sent, percent-encoded or not as the fault needs. */
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  /** Names one of the real campaigns. */
  real: boolean;
}

export interface ServedRoute {
  method: string;
  path: string;
}

/** Routes that take no input: a request to them cannot be bad. */
export const INPUTLESS_ROUTES = ['GET /healthz', 'GET /openapi.json'];

/** The webhook's own body limit (src/api/webhooks.ts). */
const WEBHOOK_LIMIT_BYTES = 64 * 1024;

/* ------------------------------------------------------------ routes */

interface StackLayer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: StackLayer[] };
}

function pathsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flat(Infinity).filter((p): p is string => typeof p === 'string');
  return [];
}

function joinPath(prefix: string, path: string): string {
  return `${prefix}/${path}`.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
}

/** Every route `app` serves, found by walking its routers (mount paths included), as `METHOD /path`. */
export function servedRoutes(app: Express): ServedRoute[] {
  const found = new Map<string, ServedRoute>();
  const walk = (stack: StackLayer[], prefixes: string[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const methods = Object.entries(layer.route.methods).filter(([m, on]) => on && m !== '_all');
        for (const prefix of prefixes) {
          for (const path of pathsOf(layer.route.path)) {
            for (const [method] of methods) {
              const route = { method: method.toUpperCase(), path: joinPath(prefix, path) };
              found.set(routeKey(route), route);
            }
          }
        }
      } else if (layer.handle?.stack) {
        const mounts = pathsOf(layer.rawPath);
        walk(
          layer.handle.stack,
          prefixes.flatMap((p) => mounts.map((m) => joinPath(p, m))),
        );
      }
    }
  };
  walk((app.router as unknown as { stack: StackLayer[] }).stack, ['']);
  return [...found.values()].sort((a, b) => routeKey(a).localeCompare(routeKey(b)));
}

export function routeKey(route: ServedRoute): string {
  return `${route.method} ${route.path}`;
}

/* ------------------------------------------------------------ randomness */

class Gen {
  private readonly random: () => number;

  constructor(
    readonly ctx: FuzzContext,
    seed: number,
  ) {
    this.random = mulberry32(seed);
  }

  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  hex(length: number): string {
    return Array.from({ length }, () => '0123456789abcdef'[this.int(16)]).join('');
  }

  shuffled<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  /** Valid numbers, different on every call. */
  phones(count: number): string[] {
    return syntheticNumbers({ count, seed: this.between(1, 2 ** 30) });
  }

  contacts(count: number): Json[] {
    return this.phones(count).map((phone_number, i) => ({ phone_number, name: `${this.unicode()} ${i}` }));
  }

  unicode(): string {
    return this.pick(UNICODE);
  }

  /** A string of `length` characters, ASCII or not. */
  long(length: number): string {
    const unit = this.pick(['x', 'é', '漢', '🚀', 'a\u0000']);
    return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
  }

  /** A long string that still fits a body under the limit. */
  huge(): string {
    return this.long(this.between(20_000, Math.floor(this.ctx.bodyLimitBytes / 8)));
  }

  wrongType(): unknown {
    return this.pick([42, -1, 1.5, true, false, [], ['x'], {}, { $gt: '' }]);
  }

  badPhone(): unknown {
    return this.chance(0.85) ? this.pick(BAD_PHONES) : this.pick([14155550123, true, {}, ['+14155550123']]);
  }

  /** A campaign reference nobody has. */
  missingRef(): string {
    return this.pick([
      () => this.hex(24),
      () => `9${String(this.int(1e14)).padStart(14, '0')}`,
      () => `CAMP-2099-${String(this.between(100, 999))}`,
    ])();
  }

  realRef(): string {
    const c = this.pick(this.ctx.campaigns);
    return this.pick([c.id, String(c.numericId), c.code]);
  }
}

/** Text that trips up encoders, databases, logs and terminals. */
const UNICODE = [
  'Ωmega кампания',
  '🚀📞🎉👩‍👩‍👧‍👦',
  'שלום עולם',
  'مرحبا بالعالم',
  '\u202Eevil\u202C.txt',
  'a\u0000b',
  '\uD800',
  'e\u0301\u0301\u0301',
  '\u200B\u200C\u200D\uFEFF',
  '𝕌𝕟𝕚𝕔𝕠𝕕𝕖',
  '活动名称',
  '\r\n\t\b\f',
  '<script>alert(1)</script>',
  "'; DROP TABLE campaigns; --",
  '{"$gt": ""}',
  '${jndi:ldap://x}',
  '%s%n%x',
  '../../etc/passwd',
  'Z̷̧͎̈́a̸̛͙l̵̰͗g̴͚̈o̶̪͝',
];

/** Each of these fails normalizePhone (src/phones/normalize.ts) in the default region. */
const BAD_PHONES = [
  '',
  ' ',
  'abc',
  '+',
  '+1',
  '123',
  '12345',
  '+0123456789',
  '+99912345678',
  '+1415555012',
  '+141555501234567890',
  '00000000000',
  '++14155550123',
  '+1415555012a',
  '☎️📞',
  'NaN',
  '+1 (415) 555-01',
  '٠١٢',
  '1'.repeat(64),
  '+1415\u0000555',
  '+1 415 555 0123 ext. 9',
  'tel:+1',
  '5555555555',
  '911',
];

/**
 * Campaign references that are no campaign: `raw` is how a path carries it, when not plainly
 * encoded. None is empty: VoiceGenie serves at the root, so a path with an empty id is none of its
 * routes and gets the app's 404.
 */
const BAD_REFS: { value: string; raw?: string }[] = [
  { value: '0' },
  { value: '-1' },
  { value: '1e5' },
  { value: '3.5' },
  { value: '1234567890123456' },
  { value: 'null' },
  { value: 'undefined' },
  { value: '__proto__' },
  { value: 'constructor' },
  { value: '$where' },
  { value: '{"$gt":""}' },
  { value: 'a\u0000b' },
  { value: ' ' },
  { value: '<script>alert(1)</script>' },
  { value: 'кампания🚀' },
  { value: '\u202Eevil' },
  { value: 'CAMP-2026-001; DROP TABLE' },
  { value: '..', raw: '..' },
  { value: '../../etc/passwd', raw: '..%2F..%2Fetc%2Fpasswd' },
  { value: '..\\..\\windows', raw: '..%5C..%5Cwindows' },
  { value: '../..', raw: '%2e%2e%2f%2e%2e' },
  { value: '%zz', raw: '%zz' },
  { value: '%E0%A4%A', raw: '%E0%A4%A' },
  { value: '%', raw: '%' },
  { value: '%C0%AF', raw: '%C0%AF' },
  { value: '%ED%A0%80', raw: '%ED%A0%80' },
  { value: 'x'.repeat(300) },
  { value: 'f'.repeat(5000) },
];

/** Percent-encoded; a lone surrogate, which has no UTF-8, goes as U+FFFD (BAD_REFS carry broken encodings). */
function encode(text: string): string {
  return encodeURIComponent(
    text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );
}

/* ------------------------------------------------------------ requests in the making */

type Json = Record<string, unknown>;

interface FormPart {
  name: string;
  value: string;
  filename?: string;
}

type Payload =
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; bytes: Buffer; contentType?: string; encoding?: string }
  | { kind: 'form'; parts: FormPart[]; mangle?: (text: string, boundary: string) => string };

interface Draft {
  method: string;
  params: Record<string, string>;
  query: [string, string][];
  payload?: Payload;
  headers: Record<string, string | string[]>;
  /** Credentials instead of the dialect's valid ones. */
  auth?: Record<string, string | string[]>;
  /** Signature headers of the webhook, in place of a good signature. */
  signature?: (body: Buffer) => Record<string, string | string[]>;
}

type Breaker = readonly [label: string, apply: (d: Draft, g: Gen) => void, weight?: number];

interface Model {
  dialect: Dialect;
  /** Where the request names a campaign. */
  ref?: 'path' | 'body' | 'query';
  /** Parses a JSON body, so malformed bodies apply. */
  json: boolean;
  /** Honours Idempotency-Key. */
  idempotent: boolean;
  /** The request as the route takes it, naming campaign `ref` (as it goes in a path when `ref` is a path parameter). */
  base(g: Gen, ref: string): Draft;
  /** Faults the route refuses before it changes anything, whatever campaign the request names. */
  breakers: readonly Breaker[];
}

function draft(method: string, params: Record<string, string> = {}, rest: Partial<Draft> = {}): Draft {
  return { method, params, query: [], headers: {}, ...rest };
}

function json(value: unknown): Payload {
  return { kind: 'json', value };
}

/** The JSON object a draft carries (every breaker that edits a body runs on one). */
function obj(d: Draft): Json {
  if (d.payload?.kind !== 'json' || typeof d.payload.value !== 'object' || d.payload.value === null) {
    throw new Error('breaker needs a JSON object body');
  }
  return d.payload.value as Json;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The contacts in `body[field]`, to edit; fresh ones where noise left something else there. */
function contactList(body: Json, field: string, g: Gen): Json[] {
  const value = body[field];
  if (Array.isArray(value) && value.every(isObject)) return value;
  const fresh = g.contacts(3);
  body[field] = fresh;
  return fresh;
}

function setQuery(d: Draft, name: string, value: string | string[] | undefined): void {
  d.query = d.query.filter(([k]) => k !== name);
  for (const v of value === undefined ? [] : Array.isArray(value) ? value : [value]) d.query.push([name, v]);
}

/** Adds a key the route does not know; `__proto__` and friends go in as own keys, as JSON.parse makes them. */
function addKey(target: Json, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const JUNK_KEYS = [
  'unknownField',
  '__proto__',
  'constructor',
  '$where',
  'ключ',
  '🔑',
  '',
  'a.b',
  'x'.repeat(300),
];

/* ------------------------------------------------------------ shared faults */

const notAnObject: Breaker = [
  'body: not a JSON object',
  (d, g) => (d.payload = json(g.pick([[], [1, 2], 'campaign', 42, true, null]))),
];

/** Campaign settings (the service's fields; `nameKey` is the dialect's name of `name`). */
function settingsBreakers(nameKey: 'campaignName' | 'name'): Breaker[] {
  const set = (field: string, values: (g: Gen) => unknown) => (d: Draft, g: Gen) => {
    obj(d)[field] = values(g);
  };
  return [
    [
      'settings: missing name',
      (d) => {
        delete obj(d)[nameKey];
        delete obj(d).campaign_name;
      },
    ],
    ['settings: name of the wrong type', set(nameKey, (g) => g.wrongType())],
    ['settings: blank name', set(nameKey, (g) => g.pick(['', '   ', '\t\n']))],
    [
      'settings: name too long',
      set(nameKey, (g) => (g.chance(0.5) ? g.long(g.between(201, 5000)) : g.huge())),
    ],
    [
      'settings: bad maxConcurrentCalls',
      set('maxConcurrentCalls', (g) => g.pick([0, -1, 1001, 2.5, '10', 'ten', [], {}])),
    ],
    ['settings: bad isScheduledCall', set('isScheduledCall', (g) => g.pick(['yes', 'true', 1, 0, []]))],
    [
      'settings: bad redialConfig',
      set('redialConfig', (g) =>
        g.pick([
          { maxAttempts: 0 },
          { maxAttempts: 'three' },
          { retryIntervals: 'hourly' },
          { retryIntervals: [0] },
          { retryOn: ['answered'] },
          { enabled: 'yes' },
          { unknown: 1 },
          'on',
          [1, 2],
        ]),
      ),
    ],
    [
      'settings: bad callingHours',
      set('callingHours', (g) =>
        g.pick([
          { days: [] },
          { days: [{ day: 'funday', start: '09:00', end: '17:00' }] },
          { days: [{ day: 'monday', start: '9am', end: '5pm' }] },
          { days: [{ day: 'monday', start: '17:00', end: '09:00' }] },
          { timezone: 'Mars/Olympus_Mons', days: [{ day: 'monday', start: '09:00', end: '17:00' }] },
          'always',
          42,
        ]),
      ),
    ],
    ['settings: bad fromNumber', set('fromNumber', (g) => g.pick(['x'.repeat(33), 42, '', '   ']))],
    ['settings: description too long', set('description', (g) => g.pick([42, 'd'.repeat(2001), g.huge()]))],
    ['settings: bad agentId', set('agentId', (g) => g.pick(['', '   ', 42, 'a'.repeat(201), {}]))],
    notAnObject,
  ];
}

/** A list of contacts the route refuses whole. */
function contactBreakers(field: string): Breaker[] {
  const edit = (apply: (contacts: Json[], g: Gen) => void) => (d: Draft, g: Gen) => {
    apply(contactList(obj(d), field, g), g);
  };
  return [
    [
      `contacts: ${MAX_CONTACTS_PER_REQUEST + 1} contacts`,
      (d, g) => (obj(d)[field] = g.contacts(MAX_CONTACTS_PER_REQUEST + 1)),
      6,
    ],
    ['contacts: missing', (d) => delete obj(d)[field]],
    ['contacts: empty list', (d) => (obj(d)[field] = [])],
    [
      'contacts: not a list',
      (d, g) => (obj(d)[field] = g.pick([{ phone_number: '+14155550123' }, 'a,b', 42, true])),
    ],
    [
      'contacts: phone_number of the wrong type',
      edit((cs, g) => {
        (cs[g.int(cs.length)] as Json).phone_number = g.pick([14155550123, null, true, {}, []]);
      }),
    ],
    [
      'contacts: a field out of bounds',
      edit((cs, g) => {
        const c = cs[g.int(cs.length)] as Json;
        g.pick([
          () => (c.name = g.long(g.between(201, 3000))),
          () => (c.email = 'e'.repeat(321)),
          () => (c.custom_data = g.pick(['str', 42, ['a']])),
          () => (c.custom_data = { blob: 'b'.repeat(17_000) }),
          () => (c.timezone = g.pick(['Mars/Base', 'UTC+99', g.unicode()])),
          () => (c.scheduledCallDateTime = 42),
          () => (c.phone_number = '1'.repeat(65)),
        ])();
      }),
    ],
    [
      'contacts: an entry that is no contact',
      edit((cs, g) => {
        cs[g.int(cs.length)] = g.pick<unknown>(['+14155550123', 42, null, [], true]) as Json;
      }),
    ],
  ];
}

function queryBreaker(
  label: string,
  name: string,
  values: readonly (string | string[] | undefined)[],
): Breaker {
  return [`query: ${label}`, (d, g) => setQuery(d, name, g.pick(values))];
}

const pagingBreakers = (limit: string, offset: string, max: number): Breaker[] => [
  queryBreaker(`bad ${limit}`, limit, ['0', '-5', String(max + 1), 'abc', '1.5', '1e400', ['10', '20'], '']),
  queryBreaker(`bad ${offset}`, offset, ['-1', 'x', '2.5', '-0.5', ['0', '1']]),
];

/** A multipart body: `mangle` breaks its bytes after they are laid out. */
function form(parts: FormPart[], mangle?: (text: string, boundary: string) => string): Payload {
  return { kind: 'form', parts, ...(mangle && { mangle }) };
}

function csv(header: string, rows: string[]): string {
  return [header, ...rows].join('\n') + '\n';
}

const malformedMultipart: Breaker = [
  'multipart: malformed',
  (d, g) =>
    (d.payload = form(
      [{ name: 'file', filename: 'c.csv', value: 'phone_number\n+14155550123\n' }],
      g.pick([
        (text: string, b: string) => text.replace(`--${b}--`, ''),
        (text: string, b: string) => text.split(`--${b}`).join('--other'),
        (text: string) => text.replace('Content-Disposition', 'Content-Dispostion\r\nX'),
        (text: string) => text.slice(0, Math.floor(text.length / 2)),
      ]),
    )),
];

/* ------------------------------------------------------------ the dialects' routes */

function voicegenieModels(): Record<string, Model> {
  const vg = (m: Omit<Model, 'dialect'>): Model => ({ dialect: 'voicegenie', ...m });
  const byPath = (method: string) =>
    vg({
      ref: 'path',
      json: false,
      idempotent: false,
      base: (_g, ref) => draft(method, { campaignId: ref }),
      breakers: [],
    });
  const settings = (g: Gen): Json => ({
    campaignName: `Fuzz ${g.unicode()}`,
    agentId: 'agent-1',
    isScheduledCall: false,
    isContextBasedCall: g.chance(0.5),
    maxConcurrentCalls: g.between(1, 20),
  });
  const refField = (field: string): Breaker[] => [
    [`${field}: wrong type`, (d, g) => (obj(d)[field] = g.wrongType())],
    [`${field}: blank`, (d, g) => (obj(d)[field] = g.pick(['', '   ']))],
    [`${field}: too long`, (d, g) => (obj(d)[field] = g.long(g.between(201, 4000)))],
  ];
  const csvFile = (value: string) => ({ name: 'file', filename: 'contacts.csv', value });
  const uploadForm = (ref: string, file: string) =>
    form([{ name: 'campaign_id', value: ref }, csvFile(file)]);
  return {
    'GET /startCampaign/:campaignId': byPath('GET'),
    'GET /startCampaignv2/:campaignId': byPath('GET'),
    'GET /pauseTheCampaign/:campaignId': byPath('GET'),
    'GET /deleteCampaign/:campaignId': byPath('GET'),
    'GET /getCampaignStats/:campaignId': byPath('GET'),
    'POST /createCampaign': vg({
      json: true,
      idempotent: true,
      base: (g) => draft('POST', {}, { payload: json(settings(g)) }),
      breakers: [
        ...settingsBreakers('campaignName'),
        ['createCampaign: contacts given', (d, g) => (obj(d).contacts = g.contacts(2))],
      ],
    }),
    'POST /uploadCampaignData': vg({
      ref: 'body',
      json: true,
      idempotent: true,
      base: (g, ref) => draft('POST', {}, { payload: json({ campaign_id: ref, contacts: g.contacts(3) }) }),
      breakers: [
        ...contactBreakers('contacts'),
        ...refField('campaign_id'),
        ['upload: schedule_time', (d) => (obj(d).schedule_time = '2030-01-01T00:00:00Z')],
        notAnObject,
        [
          'csv: no phone_number column',
          (d) => (d.payload = uploadForm(String(obj(d).campaign_id), csv('name,email', ['Ann,a@b.c']))),
        ],
        [
          `csv: ${MAX_CONTACTS_PER_REQUEST + 1} rows`,
          (d, g) =>
            (d.payload = uploadForm(
              String(obj(d).campaign_id),
              csv(
                'phone_number,name',
                g.phones(MAX_CONTACTS_PER_REQUEST + 1).map((p) => `${p},N`),
              ),
            )),
        ],
        [
          'csv: a column twice',
          (d) =>
            (d.payload = uploadForm(
              String(obj(d).campaign_id),
              csv('phone_number,Phone_Number', ['+14155550123,+14155550124']),
            )),
        ],
        ['csv: empty file', (d) => (d.payload = uploadForm(String(obj(d).campaign_id), ''))],
        [
          'csv: no file',
          (d) => (d.payload = form([{ name: 'campaign_id', value: String(obj(d).campaign_id) }])),
        ],
        [
          'csv: both a file and JSON contacts',
          (d, g) =>
            (d.payload = form([
              { name: 'campaign_id', value: String(obj(d).campaign_id) },
              { name: 'contacts', value: JSON.stringify(g.contacts(1)) },
              csvFile(csv('phone_number', g.phones(1))),
            ])),
        ],
        [
          'csv: two files',
          (d, g) =>
            (d.payload = form([
              { name: 'campaign_id', value: String(obj(d).campaign_id) },
              csvFile(csv('phone_number', g.phones(1))),
              csvFile(csv('phone_number', g.phones(1))),
            ])),
        ],
        malformedMultipart,
      ],
    }),
    'POST /uploadCampaignDataAndRun': vg({
      json: true,
      idempotent: true,
      base: (g) => draft('POST', {}, { payload: json({ ...settings(g), contacts: g.contacts(3) }) }),
      breakers: [
        ...settingsBreakers('campaignName'),
        ...contactBreakers('contacts'),
        [
          'contacts: bad phone numbers',
          (d, g) => {
            for (const c of contactList(obj(d), 'contacts', g)) c.phone_number = g.badPhone();
          },
          8,
        ],
        ['settings: missing agentId', (d) => delete obj(d).agentId],
        [
          'contacts: scheduled campaign without times',
          (d, g) => {
            obj(d).isScheduledCall = true;
            for (const c of contactList(obj(d), 'contacts', g)) delete c.scheduledCallDateTime;
          },
        ],
        [
          'contacts: scheduled in the past',
          (d, g) => {
            obj(d).isScheduledCall = true;
            for (const c of contactList(obj(d), 'contacts', g)) {
              c.scheduledCallDateTime = g.pick(['2000-01-01T00:00:00Z', 'tomorrow', '2030-13-45T99:99:99Z']);
            }
          },
        ],
      ],
    }),
    'GET /getCampaignStatuses': vg({
      json: false,
      idempotent: false,
      base: () => draft('GET', {}, { query: [['limit', '10']] }),
      breakers: [
        queryBreaker('unknown status', 'status', ['bogus', 'in_progress,nope', '🚀', 'RUNNING;DROP']),
        ...pagingBreakers('limit', 'offset', 100),
      ],
    }),
    'POST /getHistory': vg({
      ref: 'body',
      json: true,
      idempotent: false,
      base: (_g, ref) => draft('POST', {}, { payload: json({ campaign_id: ref, limit: 10 }) }),
      breakers: [
        ...refField('campaign_id'),
        ['history: missing campaign_id', (d) => delete obj(d).campaign_id],
        ['history: bad limit', (d, g) => (obj(d).limit = g.pick([0, 501, -3, 'abc', 2.5, [], {}]))],
        ['history: bad offset', (d, g) => (obj(d).offset = g.pick([-1, 'x', 0.5]))],
        ['history: bad page', (d, g) => (obj(d).page = g.pick([0, -2, 'first', 1.5]))],
        [
          'history: page and offset disagree',
          (d) => Object.assign(obj(d), { limit: 10, offset: 0, page: 3 }),
        ],
        [
          'history: unknown status_filter',
          (d, g) => (obj(d).status_filter = g.pick(['bogus', 42, g.unicode()])),
        ],
        notAnObject,
      ],
    }),
    'GET /downloadCampaignStats': vg({
      ref: 'query',
      json: false,
      idempotent: false,
      base: (_g, ref) =>
        draft(
          'GET',
          {},
          {
            query: [
              ['campaign_id', ref],
              ['format', 'csv'],
            ],
          },
        ),
      breakers: [
        queryBreaker('bad format', 'format', [undefined, 'xlsx', 'CSV', '', 'csv;rm', ['csv', 'csv']]),
        queryBreaker('bad campaign_id', 'campaign_id', [undefined, '', '   ', 'c'.repeat(201), ['a', 'b']]),
      ],
    }),
    'POST /redialCampaignCalls': vg({
      ref: 'body',
      json: true,
      idempotent: true,
      base: (_g, ref) => draft('POST', {}, { payload: json({ campaign_id: ref, call_uuids: ['call-1'] }) }),
      breakers: [
        ...refField('campaign_id'),
        [
          'redial: both call_uuids and redial_criteria',
          (d) => (obj(d).redial_criteria = { statuses: ['busy'] }),
        ],
        ['redial: neither call_uuids nor redial_criteria', (d) => delete obj(d).call_uuids],
        [
          'redial: bad call_uuids',
          (d, g) =>
            (obj(d).call_uuids = g.pick<unknown>([
              [],
              [1, 2],
              [''],
              'call-1',
              Array.from({ length: MAX_CONTACTS_PER_REQUEST + 1 }, (_, i) => `call-${i}`),
            ])),
          2,
        ],
        [
          'redial: bad redial_criteria',
          (d, g) => {
            delete obj(d).call_uuids;
            obj(d).redial_criteria = g.pick([
              { statuses: [] },
              { statuses: ['bogus'] },
              { statuses: 'busy' },
              { statuses: ['busy'], max_previous_attempts: -1 },
              { statuses: ['busy'], max_previous_attempts: 1.5 },
              { statuses: ['busy'], exclude_dnc: 'yes' },
              'busy',
            ]);
          },
        ],
        notAnObject,
      ],
    }),
  };
}

function koreModels(): Record<string, Model> {
  const kore = (m: Omit<Model, 'dialect'>): Model => ({ dialect: 'kore', ...m });
  const stream = (g: Gen) => (g.chance(0.7) ? g.ctx.account.appId : encode(g.unicode()));
  const contactsView: Breaker[] = [
    queryBreaker('unknown view', 'view', ['bogus', '', 'STATUS', '🚀', ['status', 'contacts']]),
    [
      'query: bad contacts paging',
      (d, g) => {
        setQuery(d, 'view', 'contacts');
        // Pages have no upper bound; limits do.
        if (g.chance(0.5)) setQuery(d, 'page', g.pick(['0', '-1', 'x', '1.5', '1e400']));
        else setQuery(d, 'limit', g.pick(['0', '-1', 'x', '1.5', '101']));
      },
    ],
  ];
  const models: Record<string, Model> = {};
  for (const prefix of KORE_PREFIXES) {
    models[`POST ${prefix}/:streamId/campaign/trigger/:campaignId`] = kore({
      ref: 'path',
      json: true,
      idempotent: false,
      base: (g, ref) => {
        const d = draft('POST', { streamId: stream(g), campaignId: ref }, { payload: json({}) });
        if (g.chance(0.5)) setQuery(d, 'accountId', g.ctx.account.id);
        setQuery(d, 'campaignType', 'voice');
        setQuery(d, 'trigger', g.pick(['play', 'stop', 'pause', 'resume']));
        return d;
      },
      breakers: [
        queryBreaker('bad campaignType', 'campaignType', [undefined, 'sms', 'Voice', '', ['voice', 'voice']]),
        queryBreaker('bad trigger', 'trigger', [undefined, 'start', 'PLAY', '', '▶️', ['play', 'stop']]),
      ],
    });
    models[`GET ${prefix}/:streamId/campaign/:campaignId/status`] = kore({
      ref: 'path',
      json: false,
      idempotent: false,
      base: (g, ref) =>
        draft(
          'GET',
          { streamId: stream(g), campaignId: ref },
          { query: [['view', g.pick(['status', 'contacts'])]] },
        ),
      breakers: contactsView,
    });
    models[`POST ${prefix}/:streamId/campaign/:campaignId/status`] = kore({
      ref: 'path',
      json: true,
      idempotent: false,
      base: (g, ref) =>
        draft(
          'POST',
          { streamId: stream(g), campaignId: ref },
          { query: [['view', 'contacts']], payload: json({ page: 1, limit: 10 }) },
        ),
      breakers: [
        ...contactsView,
        [
          'body: bad contacts paging',
          (d, g) => {
            setQuery(d, 'view', 'contacts');
            setQuery(d, 'page', undefined);
            setQuery(d, 'limit', undefined);
            if (g.chance(0.5)) obj(d).page = g.pick([0, -1, 'x', 1.5, [], {}]);
            else obj(d).limit = g.pick([0, -1, 'x', 1.5, 1000, [], {}]);
          },
        ],
      ],
    });
  }
  return models;
}

function voltmxModels(): Record<string, Model> {
  const voltmx = (m: Omit<Model, 'dialect'>): Model => ({ dialect: 'voltmx', ...m });
  const action = (method: string) =>
    voltmx({
      ref: 'path',
      json: method === 'POST',
      idempotent: false,
      base: (_g, ref) => draft(method, { id: ref }, method === 'POST' ? { payload: json({}) } : {}),
      breakers: [],
    });
  const p = VOLTMX_PREFIX;
  return {
    [`POST ${p}/:id/start`]: action('POST'),
    [`POST ${p}/:id/pause`]: action('POST'),
    [`POST ${p}/:id/resume`]: action('POST'),
    [`POST ${p}/:id/terminate`]: action('POST'),
    [`POST ${p}/:id/delete`]: action('POST'),
    [`DELETE ${p}/:id`]: action('DELETE'),
    [`GET ${p}/:id`]: action('GET'),
    [`GET ${p}`]: voltmx({
      json: false,
      idempotent: false,
      base: () => draft('GET', {}, { query: [['start', '0']] }),
      breakers: pagingBreakers('pageSize', 'start', 100),
    }),
  };
}

function v1Models(): Record<string, Model> {
  const v1 = (m: Omit<Model, 'dialect' | 'idempotent'> & { idempotent?: boolean }): Model => ({
    dialect: 'v1',
    idempotent: false,
    ...m,
  });
  const paging = pagingBreakers('limit', 'offset', 100);
  const byId = (method: string, extra: Partial<Model> = {}) =>
    v1({
      ref: 'path',
      json: method === 'POST',
      idempotent: method === 'POST',
      base: (_g, ref) => draft(method, { id: ref }),
      breakers: [],
      ...extra,
    });
  const list = (filter?: Breaker) =>
    byId('GET', {
      base: (_g, ref) => draft('GET', { id: ref }, { query: [['limit', '5']] }),
      breakers: filter ? [...paging, filter] : paging,
    });
  /** A sub-resource of a campaign: the campaign may be real, the sub-resource never is. */
  const child = (param: string) =>
    byId('GET', {
      base: (g, ref) => draft('GET', { id: ref, [param]: g.hex(24) }),
      breakers: [
        [
          `${param}: none such`,
          (d, g) => (d.params[param] = encode(g.pick([g.hex(24), g.unicode(), '+14155550123']))),
        ],
        [`${param}: too long`, (d, g) => (d.params[param] = 'q'.repeat(g.between(129, 2000)))],
        [`${param}: malformed`, (d, g) => (d.params[param] = g.pick(['%zz', '%E0%A4%A', '%C0%AF']))],
      ],
    });
  const dncBody = (g: Gen): Json => ({ phone_numbers: g.phones(2), reason: 'fuzz' });
  const dncBreakers: Breaker[] = [
    ['dnc: unknown field', (d, g) => addKey(obj(d), g.pick(JUNK_KEYS), g.unicode())],
    ['dnc: missing phone_numbers', (d) => delete obj(d).phone_numbers],
    [
      'dnc: bad phone_numbers',
      (d, g) =>
        (obj(d).phone_numbers = g.pick<unknown>([
          [],
          '+14155550123',
          [42],
          ['1'.repeat(65)],
          g.phones(1001),
          [null],
        ])),
      2,
    ],
    ['dnc: bad reason', (d, g) => (obj(d).reason = g.pick(['', '   ', 42, 'r'.repeat(201), []]))],
    [
      'dnc: bad phone numbers and an unknown field',
      (d, g) => {
        obj(d).phone_numbers = [g.badPhone(), g.badPhone()];
        addKey(obj(d), g.pick(JUNK_KEYS), 1);
      },
      2,
    ],
    notAnObject,
  ];
  const noPhone: Breaker = [
    'dnc: no phone number',
    (d, g) => (d.params.phone = encode(String(g.badPhone())) || '%20'),
    3,
  ];
  /** Numbers nobody listed, or no numbers at all: removing them is refused either way. */
  const unlisted = (g: Gen) => encode(g.chance(0.5) ? (g.phones(1)[0] as string) : String(g.badPhone()));
  const importForm = (g: Gen, rows: string): Payload =>
    form([
      { name: 'reason', value: 'fuzz' },
      { name: 'file', filename: 'dnc.csv', value: rows || csv('phone_number', g.phones(1)) },
    ]);
  return {
    'POST /v1/campaigns': v1({
      json: true,
      idempotent: true,
      base: (g) => draft('POST', {}, { payload: json({ name: `Fuzz ${g.unicode()}`, agentId: 'agent-1' }) }),
      breakers: [
        ...settingsBreakers('name'),
        [
          'settings: unknown field',
          (d, g) => addKey(obj(d), g.pick([...JUNK_KEYS, 'campaignName']), g.unicode()),
          3,
        ],
      ],
    }),
    'GET /v1/campaigns': v1({
      json: false,
      base: () => draft('GET', {}, { query: [['limit', '5']] }),
      breakers: [
        ...paging,
        queryBreaker('unknown status', 'status', ['bogus', 'draft,nope', ',,🚀', ['draft', 'x']]),
      ],
    }),
    'GET /v1/campaigns/:id': byId('GET'),
    'DELETE /v1/campaigns/:id': byId('DELETE'),
    'POST /v1/campaigns/:id/start': byId('POST'),
    'POST /v1/campaigns/:id/pause': byId('POST'),
    'POST /v1/campaigns/:id/resume': byId('POST'),
    'POST /v1/campaigns/:id/cancel': byId('POST'),
    'GET /v1/campaigns/:id/status': byId('GET'),
    'POST /v1/campaigns/:id/contacts': byId('POST', {
      base: (g, ref) => draft('POST', { id: ref }, { payload: json(g.contacts(3)) }),
      breakers: [
        [
          `contacts: ${MAX_CONTACTS_PER_REQUEST + 1} contacts`,
          (d, g) => (d.payload = json(g.contacts(MAX_CONTACTS_PER_REQUEST + 1))),
          4,
        ],
        [
          'contacts: not a list',
          (d, g) => (d.payload = json(g.pick<unknown>([{ contacts: g.contacts(1) }, 'a,b', 42, null, true]))),
        ],
      ],
    }),
    'GET /v1/campaigns/:id/contacts': list(
      queryBreaker('unknown status', 'status', ['bogus', 'pending,nope', '🚀']),
    ),
    'GET /v1/campaigns/:id/contacts/:contactId': child('contactId'),
    'GET /v1/campaigns/:id/calls': list(
      queryBreaker('unknown outcome', 'outcome', ['bogus', 'busy,nope', '☎️']),
    ),
    'GET /v1/campaigns/:id/calls/:callId': child('callId'),
    'POST /v1/campaigns/:id/redial': byId('POST', {
      base: (_g, ref) => draft('POST', { id: ref }, { payload: json({ call_ids: ['call-1'] }) }),
      breakers: [
        ['redial: both call_ids and criteria', (d) => (obj(d).criteria = { outcomes: ['busy'] })],
        ['redial: neither call_ids nor criteria', (d) => delete obj(d).call_ids],
        [
          'redial: bad call_ids',
          (d, g) =>
            (obj(d).call_ids = g.pick<unknown>([
              [],
              [1],
              [''],
              'call-1',
              Array.from({ length: 1001 }, (_, i) => `call-${i}`),
            ])),
          2,
        ],
        [
          'redial: bad criteria',
          (d, g) => {
            delete obj(d).call_ids;
            obj(d).criteria = g.pick([
              { outcomes: [] },
              { outcomes: ['bogus'] },
              { outcomes: ['busy'], max_previous_attempts: 0 },
              { outcomes: ['busy'], extra: true },
              'busy',
            ]);
          },
        ],
        ['redial: unknown field', (d, g) => addKey(obj(d), g.pick(JUNK_KEYS), 1)],
        notAnObject,
      ],
    }),
    'GET /v1/dnc': v1({
      json: false,
      base: () => draft('GET', {}, { query: [['limit', '5']] }),
      breakers: paging,
    }),
    'POST /v1/dnc': v1({
      json: true,
      idempotent: true,
      base: (g) => draft('POST', {}, { payload: json(dncBody(g)) }),
      breakers: dncBreakers,
    }),
    'DELETE /v1/dnc/:phone': v1({
      json: false,
      base: (g) => draft('DELETE', { phone: unlisted(g) }),
      breakers: [
        ['dnc: number not on the list', (d, g) => (d.params.phone = encode(g.phones(1)[0] as string))],
        noPhone,
        ['dnc: number too long', (d, g) => (d.params.phone = '1'.repeat(g.between(65, 3000)))],
      ],
    }),
    'POST /v1/dnc/import': v1({
      json: false,
      idempotent: true,
      base: (g) => draft('POST', {}, { payload: importForm(g, '') }),
      breakers: [
        ['import: JSON instead of a form', (d, g) => (d.payload = json(dncBody(g)))],
        ['import: no file', (d) => (d.payload = form([{ name: 'reason', value: 'fuzz' }]))],
        [
          'import: no phone_number column',
          (d, g) => (d.payload = importForm(g, csv('number,reason', ['+14155550123,x']))),
        ],
        [
          'import: too many rows',
          (d, g) => (d.payload = importForm(g, csv('phone_number', g.phones(10_001)))),
        ],
        ['import: broken CSV', (d, g) => (d.payload = importForm(g, 'phone_number\n"+1415,"unclosed\n'))],
        [
          'import: unknown field',
          (d, g) =>
            (d.payload = form([
              { name: g.pick(['extra', 'ключ', 'phone_numbers']), value: 'x' },
              { name: 'file', filename: 'dnc.csv', value: csv('phone_number', g.phones(1)) },
            ])),
        ],
        [
          'import: bad reason',
          (d, g) =>
            (d.payload = form([
              { name: 'reason', value: g.pick(['', 'r'.repeat(201)]) },
              { name: 'file', filename: 'dnc.csv', value: csv('phone_number', g.phones(1)) },
            ])),
        ],
        malformedMultipart,
      ],
    }),
    'GET /v1/campaigns/:id/dnc': list(),
    'POST /v1/campaigns/:id/dnc': byId('POST', {
      base: (g, ref) => draft('POST', { id: ref }, { payload: json(dncBody(g)) }),
      breakers: dncBreakers,
    }),
    'DELETE /v1/campaigns/:id/dnc/:phone': byId('DELETE', {
      base: (g, ref) => draft('DELETE', { id: ref, phone: unlisted(g) }),
      breakers: [['dnc: number not on the list', (d, g) => (d.params.phone = unlisted(g))], noPhone],
    }),
  };
}

/** A well-formed call-status event, for a call that was never placed. */
function callbackEvent(g: Gen): Json {
  const campaignId = g.hex(24);
  const contactId = g.hex(24);
  return {
    callId: `call-${g.hex(8)}`,
    idempotencyKey: `campaign-${campaignId}-contact-${contactId}:1`,
    event: 'completed',
    outcome: g.pick(['answered', 'busy', 'no_answer']),
    durationS: g.int(300),
    occurredAt: new Date().toISOString(),
    metadata: {
      workflowId: `campaign-${campaignId}-contact-${contactId}`,
      campaignId,
      contactId,
      accountId: g.ctx.account.id,
      attempt: 1,
    },
  };
}

function webhookModels(): Record<string, Model> {
  const field = (label: string, apply: (e: Json, g: Gen) => void): Breaker => [
    `event: ${label}`,
    (d, g) => apply(obj(d), g),
  ];
  return {
    'POST /webhooks/calls': {
      dialect: 'webhook',
      json: true,
      idempotent: false,
      base: (g) => draft('POST', {}, { payload: json(callbackEvent(g)) }),
      breakers: [
        field(
          'missing field',
          (e, g) => delete e[g.pick(['callId', 'idempotencyKey', 'event', 'occurredAt', 'metadata'])],
        ),
        field(
          'wrong types',
          (e, g) =>
            (e[g.pick(['callId', 'idempotencyKey', 'durationS', 'occurredAt', 'metadata'])] = g.pick([
              [],
              ['x'],
              -1.5,
              { $gt: '' },
            ])),
        ),
        field('unknown event', (e, g) => (e.event = g.pick(['finished', '', g.unicode(), 42]))),
        field('completed without an outcome', (e) => delete e.outcome),
        field(
          'outcome we never get from a provider',
          (e, g) => (e.outcome = g.pick(['cancelled', 'bogus', g.unicode()])),
        ),
        field('bad metadata', (e, g) => {
          const m = isObject(e.metadata) ? e.metadata : (e.metadata = {});
          m[g.pick(['attempt', 'workflowId', 'contactId'])] = g.pick([0, -1, 1.5, '', null, g.unicode()]);
        }),
        field(
          'bad occurredAt',
          (e, g) => (e.occurredAt = g.pick(['yesterday', '2026-13-01T00:00:00Z', '', 0])),
        ),
        field('huge', (e, g) => (e.callId = g.long(g.between(WEBHOOK_LIMIT_BYTES, 3 * WEBHOOK_LIMIT_BYTES)))),
        notAnObject,
      ],
    },
  };
}

/** What the fuzzer knows of each route the dialects serve, keyed `METHOD /path`. */
export const routeModels: Readonly<Record<string, Model>> = {
  ...voicegenieModels(),
  ...koreModels(),
  ...voltmxModels(),
  ...v1Models(),
  ...webhookModels(),
};

/* ------------------------------------------------------------ credentials */

function apiKeyHeaders(g: Gen, account: FuzzAccount): Record<string, string> {
  if (g.int(3) > 0) return { 'x-api-key': account.apiKey };
  return { 'x-api-key': `Bearer ${account.apiKey}` };
}

function voltmxHeaders(g: Gen, account: FuzzAccount): Record<string, string> {
  const header = g.pick(['x-kony-authorization', 'x-voltmx-authorization', 'x-api-key']);
  return { [header]: g.chance(0.3) ? `Bearer ${account.apiKey}` : account.apiKey };
}

function koreHeaders(account: FuzzAccount): { auth: string; iid: string; accountid: string } {
  return {
    auth: signJwt({ appId: account.appId }, account.jwtSecret, { expiresInS: 3600 }),
    iid: account.appId,
    accountid: account.id,
  };
}

function credentials(g: Gen, dialect: Dialect, account: FuzzAccount): Record<string, string> {
  switch (dialect) {
    case 'voicegenie':
    case 'v1':
      return apiKeyHeaders(g, account);
    case 'voltmx':
      return voltmxHeaders(g, account);
    case 'kore':
      return koreHeaders(account);
    case 'webhook':
      return {};
  }
}

/** Keys that name no account: missing, unknown, revoked, mangled. */
function badKey(g: Gen, header: string): [string, Record<string, string | string[]>] {
  const { ctx } = g;
  return g.pick<[string, Record<string, string | string[]>]>([
    ['missing key', {}],
    ['empty key', { [header]: '' }],
    ['blank key', { [header]: '   ' }],
    ['unknown key', { [header]: `ce_${g.hex(40)}` }],
    ['revoked key', { [header]: ctx.revokedApiKey }],
    ['Bearer of an unknown key', { [header]: `Bearer ce_${g.hex(40)}` }],
    ['latin-1 garbage key', { [header]: 'ce_\u00e9\u00ff\u00a0\u00d7' }],
    ['huge key', { [header]: `ce_${'k'.repeat(g.between(1000, 6000))}` }],
    ['key sent twice', { [header]: [ctx.account.apiKey, ctx.account.apiKey] }],
    ['key with a stray suffix', { [header]: `${ctx.account.apiKey}x` }],
    ['key in the wrong header', { authorization: `Bearer ${ctx.account.apiKey}` }],
  ]);
}

/** Sets credentials on `d` that Kore.ai's checks refuse; the trigger page's accountId query parameter counts too. */
function badKoreAuth(g: Gen, d: Draft): string {
  const { account, other } = g.ctx;
  const good = koreHeaders(account);
  const now = Math.floor(Date.now() / 1000);
  const signed = (claims: Json, secret: string, algorithm: jwt.Algorithm = 'HS256') =>
    jwt.sign({ appId: account.appId, iat: now, ...claims }, secret, { algorithm });
  const [label, auth] = g.pick<[string, Record<string, string | string[]>]>([
    ['missing auth', { iid: good.iid, accountid: good.accountid }],
    ['missing iid', { auth: good.auth, accountid: good.accountid }],
    ['missing accountId', { auth: good.auth, iid: good.iid }],
    ['token signed with another secret', { ...good, auth: signed({}, `not-${account.jwtSecret}`) }],
    ['token of another account', { ...good, auth: koreHeaders(other).auth }],
    ['token with alg none', { ...good, auth: jwt.sign({ appId: account.appId }, '', { algorithm: 'none' }) }],
    ['token signed HS512', { ...good, auth: signed({}, account.jwtSecret, 'HS512') }],
    ['expired token', { ...good, auth: signed({ exp: now - 3600 }, account.jwtSecret) }],
    ['token not valid yet', { ...good, auth: signed({ nbf: now + 3600 }, account.jwtSecret) }],
    ['token with a wrong appId', { ...good, auth: signed({ appId: other.appId }, account.jwtSecret) }],
    ['token without appId', { ...good, auth: jwt.sign({ iat: now }, account.jwtSecret) }],
    ['iid of another application', { ...good, iid: other.appId }],
    ['unknown accountId', { ...good, accountid: g.hex(24) }],
    [
      'garbage token',
      { ...good, auth: g.pick(['abc.def.ghi', 'not-a-jwt', 'e30.e30.', '....', `${'a'.repeat(3000)}.b.c`]) },
    ],
    [
      'token that is no JSON',
      { ...good, auth: `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.aGVsbG8.sig` },
    ],
    ['headers sent twice', { ...good, auth: [good.auth, good.auth] }],
    ['accountId query naming another account', good],
  ]);
  d.auth = auth;
  setQuery(d, 'accountId', label === 'accountId query naming another account' ? other.id : undefined);
  return label;
}

function badSignature(g: Gen): [string, (body: Buffer) => Record<string, string | string[]>] {
  const secret = g.ctx.webhookSecret;
  const now = Date.now();
  return g.pick<[string, (body: Buffer) => Record<string, string | string[]>]>([
    ['missing signature', () => ({})],
    ['missing timestamp', (b) => ({ 'x-signature': signPayload(secret, b, now)['x-signature'] })],
    ['signed with another secret', (b) => ({ ...signPayload(`${secret}-not`, b, now) })],
    ['stale timestamp', (b) => ({ ...signPayload(secret, b, now - 10 * 60_000) })],
    ['timestamp from the future', (b) => ({ ...signPayload(secret, b, now + 10 * 60_000) })],
    [
      'signature of another body',
      (b) => ({ ...signPayload(secret, Buffer.concat([b, Buffer.from(' ')]), now) }),
    ],
    [
      'malformed signature',
      () => ({
        'x-signature': g.pick(['v1=xyz', 'v2=' + 'a'.repeat(64), 'a'.repeat(64), '']),
        'x-signature-timestamp': String(now),
      }),
    ],
    [
      'timestamp not a number',
      (b) => ({ ...signPayload(secret, b, now), 'x-signature-timestamp': g.pick(['now', '1e12', '-1', '']) }),
    ],
    [
      'signature sent twice',
      (b) => {
        const s = signPayload(secret, b, now);
        return { ...s, 'x-signature': [s['x-signature'], s['x-signature']] };
      },
    ],
  ]);
}

/* ------------------------------------------------------------ bodies */

const MALFORMED_JSON = [
  '{',
  '{"campaignName": "Q1", "contacts": [',
  "{'a': 1}",
  '{"a": 1,}',
  '[1, 2',
  'NaN',
  'undefined',
  '{"a": 01}',
  '{"a": "\u0001"}',
  '{"a": 1}{"b": 2}',
  '{"a": "unterminated}',
  '\u0000',
  '{a: 1}',
  '{"a": .5}',
  '{"a": +1}',
  '{"a": Infinity}',
  '{"a": "\\x41"}',
  '{"a": "\\u12"}',
  '}',
  'tru',
  '\uFEFF{"a": 1',
  '{"__proto__": ',
  '<xml/>',
  'campaignName=Q1&agentId=a',
];

interface Malformation {
  label: string;
  /** Every route of the model refuses it before looking at the campaign the request names. */
  hard: boolean;
  apply(d: Draft): void;
}

/** A body that is broken as bytes: not JSON, too large, in a charset, encoding or media type nobody takes. */
function malformation(g: Gen, model: Model): Malformation {
  const text = (d: Draft) => JSON.stringify(d.payload?.kind === 'json' ? d.payload.value : {}) ?? 'null';
  const raw = (d: Draft, bytes: Buffer, contentType: string, encoding?: string) =>
    (d.payload = { kind: 'raw', bytes, contentType, ...(encoding && { encoding }) });
  const { dialect } = model;
  const choice = g.int(100);
  if (choice < 40) {
    const bad = g.pick(MALFORMED_JSON);
    return {
      label: 'malformed JSON',
      hard: true,
      apply: (d) => raw(d, Buffer.from(bad), 'application/json'),
    };
  }
  if (choice < 55) {
    const at = g.int(1_000_000);
    return {
      label: 'truncated JSON',
      hard: true,
      apply: (d) => {
        const t = text(d);
        raw(d, Buffer.from(t.slice(0, 1 + (at % Math.max(1, t.length - 1)))), 'application/json');
      },
    };
  }
  if (choice < 65) {
    const limit = dialect === 'webhook' ? WEBHOOK_LIMIT_BYTES : g.ctx.bodyLimitBytes;
    const over = g.between(1, 64 * 1024);
    return {
      label: 'over the body limit',
      hard: true,
      apply: (d) => raw(d, Buffer.from(`{"pad":"${'x'.repeat(limit + over)}"}`), 'application/json'),
    };
  }
  if (choice < 75) {
    const type = g.pick(['application/json; charset=latin1', 'application/json; charset=koi8-r']);
    // The webhook reads raw bytes whatever their type: only its signature and schema judge them.
    return {
      label: 'unsupported charset',
      hard: dialect !== 'webhook',
      apply: (d) => raw(d, Buffer.from(text(d)), type),
    };
  }
  if (choice < 87) {
    const encoding = g.pick(['gzip', 'deflate', 'br', 'x-unknown', 'gzip, gzip']);
    const garbage = g.chance(0.5);
    return {
      label: `content-encoding ${encoding}`,
      hard: true,
      apply: (d) =>
        raw(
          d,
          garbage ? Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef]) : Buffer.from(text(d)),
          'application/json',
          encoding,
        ),
    };
  }
  const type = g.pick([
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/xml',
    'multipart/form-data; boundary=nothing-here',
    'multipart/form-data',
    '',
  ]);
  // VoiceGenie wants a JSON object and /v1 refuses other media types (415); Kore.ai and Volt MX
  // ignore a body they cannot read, so for them only a missing campaign makes it a bad request.
  return {
    label: `content-type ${type || '(none)'}`,
    hard: dialect === 'voicegenie' || (dialect === 'v1' && type !== ''),
    apply: (d) => raw(d, Buffer.from(text(d)), type),
  };
}

/** Changes that may or may not matter to the route: sent only where something else is wrong too. */
function addNoise(g: Gen, d: Draft): string {
  const body =
    d.payload?.kind === 'json' && typeof d.payload.value === 'object'
      ? (d.payload.value as Json | null)
      : null;
  const strings = body
    ? Object.keys(body).filter((k) => typeof body[k] === 'string' && k !== 'campaign_id')
    : [];
  const options: [string, () => void][] = [
    [
      'junk query parameters',
      () => {
        d.query.push([g.pick(JUNK_KEYS), g.unicode()], ['limit', g.pick(['-1', '💥', 'x'.repeat(500)])]);
      },
    ],
    ['latin-1 header', () => (d.headers['x-request-note'] = 'caf\u00e9 \u00ff')],
  ];
  if (body && !Array.isArray(body)) {
    options.push(
      [
        'unknown fields',
        () => addKey(body, g.pick(JUNK_KEYS), g.pick([g.unicode(), 42, null, { nested: [1] }])),
      ],
      [
        'null fields',
        () => {
          for (const k of Object.keys(body)) if (g.chance(0.3) && k !== 'campaign_id') body[k] = null;
        },
      ],
    );
    if (strings.length > 0) {
      options.push(
        ['unicode strings', () => (body[g.pick(strings)] = g.unicode())],
        ['huge string', () => (body[g.pick(strings)] = g.huge())],
        ['wrong types', () => (body[g.pick(strings)] = g.wrongType())],
      );
    }
    if (Array.isArray(body.contacts)) {
      options.push([
        `${MAX_CONTACTS_PER_REQUEST + 1} contacts`,
        () => (body.contacts = g.contacts(MAX_CONTACTS_PER_REQUEST + 1)),
      ]);
      options.push([
        'bad phone numbers',
        () => {
          for (const c of body.contacts as Json[]) c.phone_number = g.badPhone();
        },
      ]);
    }
  } else if (Array.isArray(body)) {
    options.push(
      [
        'bad phone numbers',
        () => {
          for (const c of body as Json[]) c.phone_number = g.badPhone();
        },
      ],
      [
        `${MAX_CONTACTS_PER_REQUEST + 1} contacts`,
        () => (d.payload = json(g.contacts(MAX_CONTACTS_PER_REQUEST + 1))),
      ],
    );
  }
  if (d.method === 'GET' || d.method === 'DELETE') {
    options.push([
      'a body on a bodiless method',
      () => {
        d.payload = {
          kind: 'raw',
          bytes: Buffer.from(g.pick(MALFORMED_JSON)),
          contentType: 'application/json',
        };
      },
    ]);
  }
  const [label, apply] = g.pick(options);
  apply();
  return label;
}

/* ------------------------------------------------------------ assembling requests */

function encodeForm(payload: Extract<Payload, { kind: 'form' }>, boundary: string): string {
  const parts = payload.parts.map(
    (p) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"\r\nContent-Type: text/csv` : ''}\r\n\r\n${p.value}\r\n`,
  );
  const text = `${parts.join('')}--${boundary}--\r\n`;
  return payload.mangle ? payload.mangle(text, boundary) : text;
}

function assemble(
  g: Gen,
  n: number,
  route: ServedRoute,
  model: Model,
  d: Draft,
  kind: FaultKind,
  fault: string,
  real: boolean,
  account: FuzzAccount,
): FuzzRequest {
  const path = route.path.replace(/:(\w+)/g, (_, name: string) => d.params[name] ?? 'x');
  const query = d.query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
  const headers: Record<string, string | string[]> = {
    ...(d.auth ?? credentials(g, model.dialect, account)),
  };
  let body: Buffer | undefined;
  const p = d.payload;
  if (p?.kind === 'json') {
    body = Buffer.from(JSON.stringify(p.value) ?? 'null');
    headers['content-type'] = 'application/json';
  } else if (p?.kind === 'raw') {
    body = p.bytes;
    if (p.contentType) headers['content-type'] = p.contentType;
    if (p.encoding) headers['content-encoding'] = p.encoding;
  } else if (p?.kind === 'form') {
    const boundary = `----fuzz${g.hex(16)}`;
    body = Buffer.from(encodeForm(p, boundary));
    headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
  }
  if (body) headers['content-length'] = String(body.length);
  if (model.dialect === 'webhook') {
    Object.assign(
      headers,
      d.signature
        ? d.signature(body ?? Buffer.alloc(0))
        : signPayload(g.ctx.webhookSecret, body ?? Buffer.alloc(0), Date.now()),
    );
  }
  Object.assign(headers, d.headers);
  return {
    n,
    dialect: model.dialect,
    route: routeKey(route),
    kind,
    fault,
    method: d.method,
    path: query ? `${path}?${query}` : path,
    headers,
    ...(body && { body }),
    real,
  };
}

const KIND_WEIGHTS: Record<FaultKind, number> = {
  auth: 18,
  'cross-tenant': 5,
  'bad-id': 17,
  'invalid-field': 25,
  'malformed-body': 20,
  noise: 12,
  'wrong-method': 3,
};

/** Routes with many ways to be wrong get more requests that are wrong in those ways. */
function weight(kind: FaultKind, model: Model): number {
  const base = KIND_WEIGHTS[kind];
  return kind === 'invalid-field' ? Math.min(60, base + 2 * model.breakers.length) : base;
}

function applicable(kind: FaultKind, model: Model, ctx: FuzzContext): boolean {
  switch (kind) {
    case 'auth':
      return true;
    case 'cross-tenant':
      return model.ref !== undefined && ctx.campaigns.length > 0 && model.dialect !== 'webhook';
    case 'bad-id':
      return model.ref !== undefined;
    case 'invalid-field':
      return model.breakers.length > 0;
    case 'malformed-body':
      return model.json;
    case 'noise':
      return model.ref !== undefined || model.breakers.length > 0;
    case 'wrong-method':
      return model.dialect !== 'voicegenie';
  }
}

function pickWeighted<T>(g: Gen, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let roll = g.int(total);
  for (const [item, weight] of items) {
    roll -= weight;
    if (roll < 0) return item;
  }
  return (items[items.length - 1] as readonly [T, number])[0];
}

function applyBreaker(g: Gen, model: Model, d: Draft): string {
  const [label, apply] = pickWeighted(
    g,
    model.breakers.map((b) => [b, b[2] ?? 1] as const),
  );
  apply(d, g);
  return label;
}

/** A campaign reference in the form its place takes (a path segment is percent-encoded). */
function placed(model: Model, value: string, raw?: string): string {
  return model.ref === 'path' ? (raw ?? encode(value)) : value;
}

function oneRequest(g: Gen, n: number, route: ServedRoute, model: Model): FuzzRequest {
  const { ctx } = g;
  const kinds = faultKinds
    .filter((k) => applicable(k, model, ctx))
    .map((k) => [k, weight(k, model)] as const);
  const kind = pickWeighted(g, kinds);
  const useReal = (p: number) => model.ref !== undefined && ctx.campaigns.length > 0 && g.chance(p);
  let real = false;
  const refFor = (wantReal: boolean) => {
    real = wantReal;
    return placed(model, wantReal ? g.realRef() : g.missingRef());
  };
  let account = ctx.account;
  let d: Draft;
  let fault: string;

  switch (kind) {
    case 'auth': {
      d = model.base(g, refFor(useReal(0.5)));
      if (model.dialect === 'webhook') {
        const [label, signature] = badSignature(g);
        d.signature = signature;
        fault = `auth: ${label}`;
      } else if (model.dialect === 'kore') {
        fault = `auth: ${badKoreAuth(g, d)}`;
      } else {
        const [label, auth] = badKey(
          g,
          model.dialect === 'voltmx'
            ? g.pick(['x-kony-authorization', 'x-voltmx-authorization', 'x-api-key'])
            : 'x-api-key',
        );
        d.auth = auth;
        fault = `auth: ${label}`;
      }
      break;
    }
    case 'cross-tenant':
      d = model.base(g, refFor(true));
      setQuery(d, 'accountId', undefined);
      account = ctx.other;
      fault = "cross-tenant: another account's credentials";
      break;
    case 'bad-id': {
      const bad = g.pick(BAD_REFS);
      d = model.base(g, placed(model, bad.value, bad.raw));
      fault = `bad-id: ${JSON.stringify(bad.raw ?? bad.value).slice(0, 40)}`;
      break;
    }
    case 'invalid-field':
      d = model.base(g, refFor(useReal(0.5)));
      fault = applyBreaker(g, model, d);
      break;
    case 'malformed-body': {
      const m = malformation(g, model);
      // Only a fault every route refuses up front may name a real campaign.
      d = model.base(g, refFor(m.hard && useReal(0.5)));
      const breaker = !m.hard && model.ref === undefined ? ` + ${applyBreaker(g, model, d)}` : '';
      m.apply(d);
      fault = `malformed-body: ${m.label}${breaker}`;
      break;
    }
    case 'noise': {
      d = model.base(g, refFor(false));
      const label = addNoise(g, d);
      fault = model.ref === undefined ? `noise: ${label} + ${applyBreaker(g, model, d)}` : `noise: ${label}`;
      break;
    }
    case 'wrong-method':
      d = model.base(g, refFor(useReal(0.5)));
      // No route of any dialect takes PUT or PATCH, so these never reach a handler.
      d.method = g.pick(['PUT', 'PATCH']);
      fault = `wrong-method: ${d.method}`;
      break;
  }
  if (model.idempotent && g.chance(0.3)) {
    d.headers['idempotency-key'] = g.pick([
      'fuzz-key-1',
      'fuzz-key-2',
      'clé-\u00e9',
      'k'.repeat(g.between(256, 2000)),
    ]);
  }
  return assemble(g, n, route, model, d, kind, fault, real, account);
}

/**
 * `count` bad requests drawn with `seed` over `routes` (what an app serves: see servedRoutes):
 * dialects take turns, and each dialect goes through its routes in shuffled rounds, so every route
 * gets its share. Signatures and tokens are made when a request is drawn, so send them promptly.
 */
export function* badRequests(
  seed: number,
  count: number,
  ctx: FuzzContext,
  routes: readonly ServedRoute[],
): Generator<FuzzRequest> {
  const g = new Gen(ctx, seed);
  const byDialect = new Map<Dialect, { route: ServedRoute; model: Model }[]>();
  for (const route of routes) {
    if (INPUTLESS_ROUTES.includes(routeKey(route))) continue;
    const model = routeModels[routeKey(route)];
    if (!model)
      throw new Error(`the fuzzer has no model of ${routeKey(route)}: add one to test/support/fuzz.ts`);
    byDialect.set(model.dialect, [...(byDialect.get(model.dialect) ?? []), { route, model }]);
  }
  const turns = dialects.filter((d) => byDialect.has(d));
  const rounds = new Map<Dialect, { route: ServedRoute; model: Model }[]>();
  for (let n = 0; n < count; n++) {
    const dialect = turns[n % turns.length] as Dialect;
    let round = rounds.get(dialect);
    if (!round?.length) {
      round = g.shuffled(byDialect.get(dialect) ?? []);
      rounds.set(dialect, round);
    }
    const { route, model } = round.pop() as { route: ServedRoute; model: Model };
    yield oneRequest(g, n, route, model);
  }
}

/* ------------------------------------------------------------ envelopes */

export interface Reply {
  status: number;
  contentType: string | undefined;
  text: string;
}

const CODE = /^[A-Z][A-Z0-9_]*$/;

function extraKeys(value: Json, allowed: readonly string[]): string[] {
  return Object.keys(value).filter((k) => !allowed.includes(k));
}

/**
 * The error code of an answer in its dialect's envelope, or what is wrong with the envelope.
 *
 * - VoiceGenie: `{success: false, message, error: CODE | {code: CODE, ...}, details?}`.
 * - Kore.ai: `{errors: [{msg, code: CODE, field?}, ...]}`, at least one.
 * - Volt MX: `{id?, message, details?}` printed by Jackson. Its pages define no error codes: the
 *   code is the page's description of the status, which the envelope carries as `message`.
 * - /v1: `{error: {code, message, issues?, details?}}`, code from the OpenAPI document's list.
 * - Webhook: `{error: {code: CODE, message, issues?}}`.
 */
export function envelopeCode(dialect: Dialect, reply: Reply): { code: string } | { problem: string } {
  if (!reply.contentType?.startsWith('application/json')) {
    return { problem: `content-type ${reply.contentType ?? '(none)'}, not JSON` };
  }
  let body: unknown;
  try {
    body = JSON.parse(reply.text);
  } catch {
    return { problem: 'body is not JSON' };
  }
  if (!isObject(body)) return { problem: 'body is not a JSON object' };
  switch (dialect) {
    case 'voicegenie': {
      const extra = extraKeys(body, ['success', 'message', 'error', 'details']);
      if (extra.length) return { problem: `keys not in the envelope: ${extra.join(', ')}` };
      if (body.success !== false) return { problem: 'success is not false' };
      if (typeof body.message !== 'string' || !body.message) return { problem: 'no message' };
      if (body.details !== undefined && !isObject(body.details))
        return { problem: 'details is not an object' };
      const code = isObject(body.error) ? body.error.code : body.error;
      if (typeof code !== 'string' || !CODE.test(code)) return { problem: 'error is not a code' };
      return { code };
    }
    case 'kore': {
      const extra = extraKeys(body, ['errors']);
      if (extra.length) return { problem: `keys not in the envelope: ${extra.join(', ')}` };
      const errors = body.errors;
      if (!Array.isArray(errors) || errors.length === 0) return { problem: 'errors is not a non-empty list' };
      for (const e of errors) {
        if (!isObject(e) || extraKeys(e, ['msg', 'code', 'field']).length)
          return { problem: 'an error has other keys' };
        if (typeof e.msg !== 'string' || !e.msg) return { problem: 'an error has no msg' };
        if (typeof e.code !== 'string' || !CODE.test(e.code)) return { problem: 'an error has no code' };
        if (e.field !== undefined && typeof e.field !== 'string') return { problem: 'field is not a string' };
      }
      return { code: (errors[0] as { code: string }).code };
    }
    case 'voltmx': {
      const extra = extraKeys(body, ['id', 'message', 'details']);
      if (extra.length) return { problem: `keys not in the envelope: ${extra.join(', ')}` };
      if (typeof body.message !== 'string' || !body.message) return { problem: 'no message' };
      if (body.id !== undefined && typeof body.id !== 'string') return { problem: 'id is not a string' };
      if (body.details !== undefined && typeof body.details !== 'string')
        return { problem: 'details is not a string' };
      if (reply.text !== jacksonJson(body)) return { problem: 'not printed the way Jackson prints it' };
      return { code: body.message };
    }
    case 'v1': {
      const parsed = errorResponseSchema.safeParse(body);
      if (!parsed.success)
        return { problem: `not the Error schema: ${parsed.error.issues[0]?.message ?? ''}` };
      const extra = [
        ...extraKeys(body, ['error']),
        ...extraKeys(body.error as Json, ['code', 'message', 'issues', 'details']),
      ];
      if (extra.length) return { problem: `keys not in the envelope: ${extra.join(', ')}` };
      return { code: parsed.data.error.code };
    }
    case 'webhook': {
      const error = body.error;
      if (extraKeys(body, ['error']).length || !isObject(error)) return { problem: 'not {error: {...}}' };
      if (extraKeys(error, ['code', 'message', 'issues']).length) return { problem: 'error has other keys' };
      if (typeof error.code !== 'string' || !CODE.test(error.code)) return { problem: 'error has no code' };
      if (typeof error.message !== 'string' || !error.message) return { problem: 'error has no message' };
      return { code: error.code };
    }
  }
}
