/* eslint-disable @typescript-eslint/no-unsafe-member-access -- JSON bodies of HTTP replies */
import type { Engine } from '../../support/engine';
import { ALWAYS_OPEN } from '../../support/campaigns';
import { syntheticNumbers } from '../../../src/phones/synthetic-numbers';

/* ------------------------------------------------------------ HTTP */

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body (undefined when the body is not JSON). */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface CallOptions {
  /** The API key to send; `null` sends none. Defaults to the engine's own key. */
  key?: string | null;
  headers?: Record<string, string>;
}

/** A VoiceGenie client of the engine: the API root replaces https://api.voicegenie.com. */
export function voicegenie(engine: Engine) {
  const request = async (
    method: string,
    path: string,
    body: string | FormData | undefined,
    opts: CallOptions,
  ): Promise<Reply> => {
    const headers: Record<string, string> = { ...opts.headers };
    const key = opts.key === undefined ? engine.apiKey : opts.key;
    if (key !== null) headers['x-api-key'] = key;
    const res = await fetch(`${engine.apiUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined && { body }),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  };
  return {
    get: (path: string, opts: CallOptions = {}) => request('GET', path, undefined, opts),
    /** POST with a JSON body (an object is serialised; a string is sent as written). */
    post: (path: string, body: unknown, opts: CallOptions = {}) =>
      request('POST', path, typeof body === 'string' ? body : JSON.stringify(body), {
        ...opts,
        headers: { 'content-type': 'application/json', ...opts.headers },
      }),
    /** POST multipart/form-data. */
    postForm: (path: string, form: FormData, opts: CallOptions = {}) => request('POST', path, form, opts),
  };
}

export type VoiceGenieClient = ReturnType<typeof voicegenie>;

/* ------------------------------------------------------------ shapes */

export interface ShapeOptions {
  /** Paths (`data.status`, `data.history[].status`) whose value must equal the example's. */
  enums?: string[];
  /** Paths where `null` stands in for the example's value (something we do not have, e.g. recordings). */
  nullable?: string[];
  /** Keys a path may carry beyond the example's (our documented additions), after the example's keys. */
  extra?: Record<string, string[]>;
}

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * What differs between a response and a page's example: the same keys in the same order,
 * recursively; the same JSON types; times written as the page writes them; enumerated values equal.
 * An example `null` (such as `completed_at` of a running campaign) accepts null or a time.
 */
export function shapeProblems(
  actual: unknown,
  example: unknown,
  opts: ShapeOptions = {},
  path = '',
): string[] {
  const here = path || '(root)';
  if (opts.enums?.includes(path) && JSON.stringify(actual) !== JSON.stringify(example)) {
    return [`${here}: expected ${JSON.stringify(example)}, got ${JSON.stringify(actual)}`];
  }
  const want = jsonType(example);
  const got = jsonType(actual);
  if (want === 'null') {
    return got === 'null' || (got === 'string' && ISO_SECONDS.test(actual as string))
      ? []
      : [`${here}: expected null or a time, got ${JSON.stringify(actual)}`];
  }
  if (got === 'null' && opts.nullable?.includes(path)) return [];
  if (want !== got) return [`${here}: expected ${want}, got ${got} (${JSON.stringify(actual)})`];
  if (want === 'string' && ISO_SECONDS.test(example as string) && !ISO_SECONDS.test(actual as string)) {
    return [`${here}: expected a time written like ${example as string}, got ${actual as string}`];
  }
  if (want === 'array') {
    const [first] = example as unknown[];
    if (first === undefined) return [];
    return (actual as unknown[]).flatMap((item) => shapeProblems(item, first, opts, `${path}[]`));
  }
  if (want === 'object') {
    const a = actual as Record<string, unknown>;
    const e = example as Record<string, unknown>;
    const allowed = new Set(opts.extra?.[path] ?? []);
    const ownKeys = Object.keys(a).filter((k) => !(k in e) && !allowed.has(k));
    const problems: string[] = ownKeys.map((k) => `${here}: unexpected key ${k}`);
    const ordered = Object.keys(a).filter((k) => k in e);
    const wantedOrder = Object.keys(e);
    if (ordered.join(',') !== wantedOrder.join(',')) {
      problems.push(`${here}: keys ${ordered.join(',')} instead of ${wantedOrder.join(',')}`);
    }
    const firstExtra = Object.keys(a).findIndex((k) => !(k in e));
    if (
      firstExtra !== -1 &&
      Object.keys(a)
        .slice(firstExtra)
        .some((k) => k in e)
    ) {
      problems.push(`${here}: our additional keys must come after the page's keys`);
    }
    for (const key of wantedOrder) {
      if (key in a) problems.push(...shapeProblems(a[key], e[key], opts, path ? `${path}.${key}` : key));
    }
    return problems;
  }
  return [];
}

/** Asserts a response has the page's shape (with Jest's diff of the problems when not). */
export function expectShape(actual: unknown, example: unknown, opts: ShapeOptions = {}): void {
  expect(shapeProblems(actual, example, opts)).toEqual([]);
}

/* ------------------------------------------------------------ campaigns */

/** Valid US numbers whose last digits pick the simulated carrier's outcome (1 answered, 4 no answer...). */
export function numbers(lastDigits: number[], seed: number): string[] {
  return syntheticNumbers({ count: lastDigits.length, region: 'US', seed, lastDigit: (i) => lastDigits[i]! });
}

/** Settings of a campaign that may call at any hour (our `callingHours` extension). */
export function campaignSettings(name: string, extra: Record<string, unknown> = {}) {
  return { campaignName: name, agentId: 'agent-1', callingHours: ALWAYS_OPEN, ...extra };
}

/** Creates a campaign through the API, uploads contacts (if any) and returns its id. */
export async function createCampaign(
  vg: VoiceGenieClient,
  settings: Record<string, unknown>,
  contacts: Record<string, unknown>[] = [],
  opts: CallOptions = {},
): Promise<string> {
  const created = await vg.post('/createCampaign', settings, opts);
  expect(created.status).toBe(200);
  const id = created.body.data.campaign._id as string;
  if (contacts.length > 0) {
    const uploaded = await vg.post('/uploadCampaignData', { campaign_id: id, contacts }, opts);
    expect(uploaded.status).toBe(200);
    expect(uploaded.body.data.failed_count).toBe(0);
  }
  return id;
}

/** Polls until `check` returns something other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Waits until the campaign's record says `status`. */
export function waitForStatus(engine: Engine, campaignId: string, status: string, timeoutMs = 60_000) {
  return waitFor(
    `campaign ${campaignId} to be ${status}`,
    async () => {
      const campaign = await engine.store.getCampaign(campaignId);
      return campaign?.status === status ? campaign : undefined;
    },
    timeoutMs,
  );
}
