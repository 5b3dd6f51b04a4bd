import { Agent } from 'node:http';
import { createApp } from '../../src/api/app';
import { badRequests, servedRoutes } from '../../test/support/fuzz';
import { firstFew, judge, seedFuzzContext, sendAll, type Outcome } from '../../test/support/fuzz-client';
import { round } from '../client';
import { rssMiB, type Stack } from '../stack';

export interface FuzzRun {
  seed: number;
  requests: number;
  perS: number;
  /** Answers with a 5xx, and requests that got no answer at all. */
  serverErrors: number;
  /** Refusals outside their dialect's error envelope, or without a code. */
  badEnvelopes: number;
  /** Generated requests that turned out valid and were served. */
  accepted: number;
  /**
   * The API process's resident set every `RSS_EVERY` requests from the end of the warm-up: a leak
   * climbs with the requests, a heap that settles levels off.
   */
  apiRssMiB: (number | undefined)[];
  /** The first offenders, each as one line that reproduces it. */
  offenders: string[];
}

const CONCURRENCY = 8;
/** Requests before the API's memory is first read: connections, caches and JIT settle in them. */
const WARM_UP = 2_000;
export const RSS_EVERY = 2_000;

/**
 * The fuzzer of `npm test` (test/support/fuzz.ts) run longer, with any seed, against the API as
 * production runs it (its own process): bad requests over every route of every dialect, checking
 * that none gets a 5xx, every refusal comes in its dialect's envelope with a code, and the API's
 * memory stays level.
 */
export async function fuzzRun(stack: Stack, seed: number, count: number): Promise<FuzzRun> {
  const { ctx } = stack;
  const fuzzContext = await seedFuzzContext(
    ctx,
    { id: stack.accountId, apiKey: stack.apiKey },
    stack.webhookSecret,
  );
  const source = badRequests(seed, count, fuzzContext, servedRoutes(createApp(ctx)));

  const pid = stack.api?.child.pid;
  const base = new URL(stack.apiUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let requests = 0;
  let serverErrors = 0;
  let badEnvelopes = 0;
  let accepted = 0;
  const apiRssMiB: (number | undefined)[] = [];
  const offenders: string[] = [];
  const tally = (o: Outcome) => {
    requests += 1;
    if (requests >= WARM_UP && (requests - WARM_UP) % RSS_EVERY === 0) apiRssMiB.push(rssMiB(pid));
    if (o.reply && o.reply.status < 400) accepted += 1;
    const { failure, badEnvelope } = judge(o);
    if (failure) serverErrors += 1;
    if (badEnvelope) badEnvelopes += 1;
    offenders.push(...[failure, badEnvelope].filter((line) => line !== undefined));
  };
  const started = performance.now();
  await sendAll(base, agent, source, count, CONCURRENCY, tally);
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return {
    seed,
    requests,
    perS: round(requests / seconds),
    serverErrors,
    badEnvelopes,
    accepted,
    apiRssMiB,
    offenders: firstFew(offenders),
  };
}
