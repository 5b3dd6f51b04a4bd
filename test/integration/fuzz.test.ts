import { Agent } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createApp } from '../../src/api/app';
import { startEngine, TEST_SECRET, type Engine } from '../support/engine';
import {
  badRequests,
  dialects,
  faultKinds,
  INPUTLESS_ROUTES,
  routeKey,
  routeModels,
  servedRoutes,
  type FuzzContext,
  type FuzzRequest,
} from '../support/fuzz';
import { firstFew, judge, seedFuzzContext, sendAll, type Outcome } from '../support/fuzz-client';

/** FUZZ_SEED and FUZZ_COUNT run it longer or elsewhere (`npm run bench -- --only fuzz` does too). */
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_116);
const COUNT = Number(process.env.FUZZ_COUNT ?? 3_000);
const CONCURRENCY = 8;
/** Requests sent before the heap is first measured: connections, caches and JIT settle in them. */
const WARM_UP = 750;
/** Heap growth allowed over the requests after the warm-up, measured after a full collection. */
const HEAP_GROWTH_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * Jest does not run with --expose-gc; the flag still takes effect for contexts created after it is
 * set, so a fresh context hands over V8's collector. Heap figures taken after it are comparable.
 */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** What a check reads of an outcome. */
interface Seen extends Pick<FuzzRequest, 'dialect' | 'route' | 'kind' | 'fault' | 'real'> {
  status?: number;
  /** Bytes above ASCII in its path or body. */
  nonAscii: boolean;
  /** The outcome in one line, when it was a 5xx or got no answer. */
  failure?: string;
  /** The outcome in one line, when its refusal was outside its dialect's envelope. */
  badEnvelope?: string;
}

describe(`fuzzing every route of every dialect (seed ${SEED}, ${COUNT} bad requests)`, () => {
  let engine: Engine;
  let ctx: FuzzContext;
  const outcomes: Seen[] = [];
  /** Keeps what the checks read, not the bodies, so that a long run's memory is the server's. */
  const keep = (o: Outcome) => {
    const { req, reply } = o;
    outcomes.push({
      dialect: req.dialect,
      route: req.route,
      kind: req.kind,
      fault: req.fault,
      real: req.real,
      status: reply?.status,
      nonAscii: /%[89a-f][0-9a-f]/i.test(req.path) || (req.body?.some((byte) => byte >= 0x80) ?? false),
      ...judge(o),
    });
  };
  let served: string[];
  let heapGrowth: number;
  let before: unknown;
  let after: unknown;

  /** What the fuzzing must not change: the seeded campaigns, their contacts, the account's lists. */
  const snapshot = async () => {
    const campaigns = await Promise.all(
      ctx.campaigns.map(async ({ id }) => {
        const c = await engine.store.getCampaign(id);
        const contacts = await engine.store.contacts
          .find({ campaignId: id }, { projection: { _id: 1, phone: 1, status: 1, attempts: 1 } })
          .sort({ _id: 1 })
          .toArray();
        return {
          id,
          status: c?.status,
          counts: c?.counts,
          deletedAt: c?.deletedAt,
          updatedAt: c?.updatedAt,
          contacts,
        };
      }),
    );
    const live = await engine.store.campaigns.countDocuments({ deletedAt: { $exists: false } });
    const dnc = await engine.mongo.db.collection('dnc').countDocuments({});
    return { campaigns, live, dnc };
  };

  beforeAll(async () => {
    engine = await startEngine();
    ctx = await seedFuzzContext(engine.ctx, { id: engine.accountId, apiKey: engine.apiKey }, TEST_SECRET);
    const routes = servedRoutes(createApp(engine.ctx));
    served = routes.map(routeKey);
    before = await snapshot();

    const base = new URL(engine.apiUrl);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const gc = collector();
    const source = badRequests(SEED, COUNT, ctx, routes);
    await sendAll(base, agent, source, WARM_UP, CONCURRENCY, keep);
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    await sendAll(base, agent, source, COUNT - WARM_UP, CONCURRENCY, keep);
    gc();
    heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    agent.destroy();
    after = await snapshot();
  });
  afterAll(() => engine?.stop());

  it('knows every route the dialects serve, and only those', () => {
    const fuzzed = served.filter((r) => !INPUTLESS_ROUTES.includes(r));
    expect(fuzzed.sort()).toEqual(Object.keys(routeModels).sort());
  });

  it('sends its requests over every route, every dialect and every kind of fault', () => {
    expect(outcomes).toHaveLength(COUNT);
    const count = (pick: (o: Seen) => string) => {
      const counts = new Map<string, number>();
      for (const o of outcomes) counts.set(pick(o), (counts.get(pick(o)) ?? 0) + 1);
      return counts;
    };
    const byRoute = count((r) => r.route);
    const byDialect = count((r) => r.dialect);
    const byKind = count((r) => r.kind);
    const named = (pattern: RegExp) => outcomes.filter((o) => pattern.test(o.fault)).length;
    const nonAscii = outcomes.filter((o) => o.nonAscii).length;
    // Floors a little under what the seed draws: a change to the generator that thins out a kind of
    // fault shows up here.
    const checks: Record<string, boolean> = {
      ...Object.fromEntries(Object.keys(routeModels).map((r) => [r, (byRoute.get(r) ?? 0) >= 20])),
      ...Object.fromEntries(dialects.map((d) => [d, (byDialect.get(d) ?? 0) >= COUNT / dialects.length - 1])),
      ...Object.fromEntries(faultKinds.map((k) => [k, (byKind.get(k) ?? 0) >= 50])),
      '1,001 contacts or rows': named(/1001/) >= 15,
      'bad phone numbers': named(/bad phone|no phone number/) >= 30,
      'over the body limit': named(/over the body limit/) >= 25,
      'huge strings': named(/huge|too long/) >= 80,
      'unicode strings': nonAscii >= 400,
      'malformed JSON': named(/malformed JSON|truncated JSON/) >= 180,
      'bad ids': named(/^bad-id/) >= 300,
      'bad auth': named(/^auth/) >= 450,
      'real campaigns named': outcomes.filter((o) => o.real).length >= 450,
    };
    expect(Object.keys(checks).filter((name) => !checks[name])).toEqual([]);
  });

  it('answers every request, none with a 5xx', () => {
    expect(firstFew(outcomes.flatMap((o) => o.failure ?? []))).toEqual([]);
  });

  it("answers each refusal in its dialect's error envelope, with a code", () => {
    expect(firstFew(outcomes.flatMap((o) => o.badEnvelope ?? []))).toEqual([]);
  });

  it('refuses them all (a generated request that turns out valid is rare)', () => {
    const accepted = outcomes.filter((o) => o.status !== undefined && o.status < 400);
    expect(accepted.length).toBeLessThanOrEqual(COUNT * 0.01);
  });

  it("keeps the server's heap steady", () => {
    expect(heapGrowth).toBeLessThan(HEAP_GROWTH_LIMIT_BYTES);
  });

  it('leaves the seeded campaigns, their contacts and the do-not-call lists as they were', () => {
    expect(after).toEqual(before);
  });
});
