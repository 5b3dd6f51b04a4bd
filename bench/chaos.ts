import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { CallView, CampaignStats } from '../src/carrier/ledger';
import { finishedContacts, type CampaignCounters } from '../src/domain/counters';
import { campaignWorkflowId } from '../src/domain/ids';
import { callOutcomes, isFinalContactStatus, type ContactStatus } from '../src/domain/status';
import type { CampaignResult } from '../workflows/campaign';
import { statusQuery } from '../workflows/messages';
import { benchContacts, round, VoiceGenieClient } from './client';
import { Stack } from './stack';

/**
 * `npm run chaos`: three campaigns of `--contacts` contacts with redials on one stack, one campaign
 * per fault (or per fault `--faults` names). A fault is injected once a quarter of its campaign's
 * contacts are final and several calls are up, so that it meets dials, callbacks, outcome waits and
 * sleeping redials; the campaign then runs to its end and is checked against MongoDB and the
 * carrier's ledger before the next fault. One campaign per fault, rather than three faults in one
 * campaign, because "every contact final" can only hold once a campaign has ended, and the
 * acceptance asks for it after each fault.
 *
 *   (a) the worker is SIGKILLed and a new one started;
 *   (b) the Temporal dev server is stopped (SIGTERM, as an operator's restart or a deploy does)
 *       and started again on the same port and SQLite file;
 *   (c) the MongoDB-wire server is stopped (SIGTERM) and started again on the same port and data.
 *
 * A stopped server stays down `--downtime` seconds: 10 by default, so that with its stop and start
 * it is away about 12 s, like a real restart. That is longer than the carrier waits for a
 * callback's answer (10 s) and shorter than the API retries the signal a callback becomes (about
 * 20 s, reconnecting on gRPC's backoff), so a callback sent into the outage is retried while its
 * first delivery is still pending, as a real provider's would be. The engine's processes are left
 * to reconnect by themselves.
 */

/** Long enough that calls are live when a fault hits; every answered call also sends in_progress. */
const SIM_CALL_MS = 500;
const MAX_CONCURRENT_CALLS = 100;
const LIVE_AT_FAULT = 5;
const MAX_ATTEMPTS = 3;
/** The carrier's outcomes go by the last digit, so i % 10 yields answers, redials and failures alike. */
const lastDigit = (i: number) => i % 10;
/** Past the 10-minute outcome timeout a lost callback would cost, at a rate a busy 2-core machine keeps. */
const campaignTimeoutMs = (contacts: number) => 15 * 60_000 + contacts * 300;

interface Options {
  contacts: number;
  /** Fraction of the contacts final when the fault is injected. */
  at: number;
  downtimeS: number;
  /** Which faults to inject, one campaign each; all three unless told (handy while developing). */
  faults: Fault['id'][];
}

function parseArgs(argv: string[]): Options {
  const options: Options = { contacts: 5000, at: 0.25, downtimeS: 10, faults: ['a', 'b', 'c'] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0) throw new Error(`${arg} needs a number`);
      return v;
    };
    if (arg === '--contacts') options.contacts = Math.floor(value());
    else if (arg === '--at') options.at = value();
    else if (arg === '--downtime') options.downtimeS = value();
    else if (arg === '--faults') {
      const ids = [...(argv[++i] ?? '')];
      if (ids.length === 0 || ids.some((id) => !FAULTS.some((f) => f.id === id))) {
        throw new Error('--faults takes letters of a, b, c (e.g. --faults bc)');
      }
      options.faults = ids as Fault['id'][];
    } else {
      throw new Error(
        `unknown argument ${arg}: use --contacts N, --at FRACTION, --downtime SECONDS, --faults abc`,
      );
    }
  }
  if (options.contacts < 10) throw new Error('--contacts must be at least 10');
  if (options.at >= 1) throw new Error('--at must be below 1: the fault has to land mid-campaign');
  return options;
}

interface Fault {
  id: 'a' | 'b' | 'c';
  name: string;
  /** Injects the fault and brings the stack back; returns what happened, for the report line. */
  inject(stack: Stack, options: Options): Promise<string>;
}

const FAULTS: Fault[] = [
  {
    id: 'a',
    name: 'worker SIGKILL',
    async inject(stack) {
      const victim = stack.workers[0];
      if (!victim) throw new Error('no worker to kill');
      await stack.killWorker(victim);
      const started = performance.now();
      const replacement = await stack.startWorker();
      return `${victim.name} killed, ${replacement.name} polling after ${seconds(started)} s`;
    },
  },
  {
    id: 'b',
    name: 'Temporal restart',
    async inject(stack, options) {
      const started = performance.now();
      await stack.stopTemporal();
      await sleep(options.downtimeS * 1000);
      await stack.startTemporal();
      return `SIGTERM, down ${seconds(started)} s`;
    },
  },
  {
    id: 'c',
    name: 'MongoDB restart',
    async inject(stack, options) {
      const started = performance.now();
      await stack.stopMongo();
      await sleep(options.downtimeS * 1000);
      await stack.startMongo();
      return `SIGTERM, down ${seconds(started)} s`;
    },
  },
];

const seconds = (since: number) => round((performance.now() - since) / 1000);
const n = (value: number) => value.toLocaleString('en-US');
/** Progress and server logs go to stderr; stdout holds the report alone. */
const progress = (line: string) => console.error(line);

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const began = performance.now();
  const stack = new Stack({ simCallMs: SIM_CALL_MS, log: progress });
  let failures = 0;
  const totals = { contacts: 0, calls: 0, refused: 0 };
  let finished = false;
  try {
    await stack.start();
    const vg = new VoiceGenieClient(stack.apiUrl, stack.apiKey);
    progress(`engine up: API ${stack.apiUrl}, carrier ${stack.carrierUrl}, data ${stack.dataDir}`);
    for (const [index, fault] of FAULTS.entries()) {
      if (!options.faults.includes(fault.id)) continue;
      const run = await runFault(stack, vg, fault, options, 7000 + index);
      console.log(run.line);
      for (const problem of run.problems) console.log(`  ✗ ${problem}`);
      failures += run.problems.length;
      totals.contacts += options.contacts;
      totals.calls += run.calls;
      totals.refused += run.refused;
    }
    finished = true;
  } finally {
    await stack.stop({ keepData: !finished || failures > 0 });
  }
  console.log(
    `totals: ${n(totals.contacts)} contacts, ${n(totals.calls)} calls, ${count(totals.refused, 'repeated request')} refused; wall ${seconds(began)} s`,
  );
  if (failures > 0) {
    console.log(`chaos: FAILED, ${count(failures, 'check')} did not hold`);
    process.exitCode = 1;
  } else {
    const faults =
      options.faults.length === FAULTS.length ? 'three faults' : count(options.faults.length, 'fault');
    console.log(`chaos: ${faults} survived, nothing lost, nothing dialed twice`);
  }
}

interface FaultRun {
  line: string;
  problems: string[];
  calls: number;
  refused: number;
}

async function runFault(
  stack: Stack,
  vg: VoiceGenieClient,
  fault: Fault,
  options: Options,
  seed: number,
): Promise<FaultRun> {
  const { contacts } = options;
  const campaignId = await vg.createWithContacts(
    {
      maxConcurrentCalls: MAX_CONCURRENT_CALLS,
      redialConfig: { enabled: true, maxAttempts: MAX_ATTEMPTS, retryIntervals: [2] },
    },
    benchContacts(contacts, seed, lastDigit),
  );
  const started = performance.now();
  await vg.ok('GET', `/startCampaignv2/${campaignId}`);
  const handle = stack.ctx.temporal.workflow.getHandle(campaignWorkflowId(campaignId));
  const deadline = Date.now() + campaignTimeoutMs(contacts);

  const target = Math.max(1, Math.floor(contacts * options.at));
  let finalAtFault = 0;
  for (;;) {
    assertAlive(stack, deadline);
    const snapshot = await handle.query(statusQuery).catch(() => undefined);
    finalAtFault = snapshot ? finishedContacts(snapshot.counters) : 0;
    if (finalAtFault >= target) break;
    await sleep(500);
  }
  // The number of calls up swings between redial waves: strike while several are, so that the
  // fault meets dials, callbacks and outcome waits in flight; settle for one after a while.
  const settleAt = Date.now() + 30_000;
  let live = 0;
  for (;;) {
    live = (await ledgerStats(stack, campaignId)).liveCalls;
    if (live >= LIVE_AT_FAULT || (live > 0 && Date.now() > settleAt)) break;
    assertAlive(stack, deadline);
    await sleep(20);
  }
  progress(
    `fault (${fault.id}) ${fault.name}: campaign ${campaignId}, ${n(finalAtFault)} final, ${count(live, 'call')} live`,
  );
  const what = await fault.inject(stack, options);
  progress(`fault (${fault.id}) ${fault.name}: ${what}; waiting for the campaign to complete`);

  // Never rejects, so that it is not left unhandled when a dead process ends the wait.
  const ended = (handle.result() as Promise<CampaignResult>).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  let answer: Awaited<typeof ended> | undefined;
  for (;;) {
    answer = await Promise.race([ended, sleep(1000, undefined)]);
    if (answer) break;
    assertAlive(stack, deadline);
  }
  if ('error' in answer) throw answer.error;
  const result = answer.value;
  const wallS = seconds(started);

  const verdict = await verify(stack, campaignId, contacts, result);
  const { problems } = verdict;
  const calls = `${n(verdict.calls)} calls, ${n(verdict.redials)} of them redials`;
  const line =
    `fault (${fault.id}) ${fault.name} (${what}) at ${n(finalAtFault)}/${n(contacts)} final, ${count(live, 'call')} live: ` +
    `${result.status} in ${wallS} s; ${n(verdict.final)} final; ` +
    `${problems.length === 0 ? `counters = MongoDB = ledger (${calls})` : calls}; ` +
    `${count(verdict.dialedTwice, 'key')} dialed twice, ${count(verdict.calledAfterAnswer, 'contact')} called again after answering ` +
    `(${count(verdict.refused, 'repeated request')} refused)` +
    (problems.length === 0 ? '' : `; ${count(problems.length, 'check')} FAILED:`);
  return { line, problems, calls: verdict.calls, refused: verdict.refused };
}

/** Fails fast when an engine process died on its own or the campaign outran its time. */
function assertAlive(stack: Stack, deadline: number): void {
  for (const p of [stack.api, stack.carrier, ...stack.workers]) {
    if (p && (p.child.exitCode !== null || p.child.signalCode !== null)) {
      throw new Error(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode}); see ${p.logFile}`);
    }
  }
  if (Date.now() > deadline) throw new Error('campaign not complete in time');
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return (await res.json()) as T;
}

const ledgerStats = (stack: Stack, campaignId: string) =>
  getJson<CampaignStats>(`${stack.carrierUrl}/ledger/stats?campaignId=${campaignId}`);

interface Verdict {
  problems: string[];
  final: number;
  calls: number;
  redials: number;
  dialedTwice: number;
  calledAfterAnswer: number;
  refused: number;
}

/** Only the non-zero entries: MongoDB's group-by has no rows for what never happened. */
function nonZero(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, v]) => v > 0));
}

const show = (counts: Record<string, number>) => JSON.stringify(counts);

/**
 * The campaign against its record: the workflow's counters, the campaign document's counts, the
 * contacts and calls in MongoDB and the carrier's ledger must tell one story, call by call.
 */
async function verify(
  stack: Stack,
  campaignId: string,
  contacts: number,
  result: CampaignResult,
): Promise<Verdict> {
  const problems: string[] = [];
  const expect = (ok: boolean, problem: () => string) => {
    if (!ok) problems.push(problem());
  };
  const { store } = stack.ctx;
  const { counters } = result;
  expect(result.status === 'completed', () => `the campaign workflow ended ${result.status}`);
  expect(counters.total === contacts, () => `counters.total is ${counters.total}, ${contacts} were uploaded`);

  const campaign = await store.getCampaign(campaignId);
  if (!campaign) return { problems: [...problems, 'the campaign document is gone'], ...nothing };
  expect(campaign.status === 'completed', () => `the campaign document says ${campaign.status}`);
  expect(
    isDeepStrictEqual(campaign.counts, counters),
    () =>
      `the campaign document's counts ${show(flatten(campaign.counts))} ≠ the workflow's ${show(flatten(counters))}`,
  );

  // Contacts: all final, and as many in each status as the counters say.
  const byStatus = await store.countContacts(campaign);
  const notFinal = nonZero(
    Object.fromEntries(Object.entries(byStatus).filter(([s]) => !isFinalContactStatus(s as ContactStatus))),
  );
  const final = Object.entries(byStatus).reduce(
    (sum, [s, k]) => sum + (isFinalContactStatus(s as ContactStatus) ? k : 0),
    0,
  );
  expect(Object.keys(notFinal).length === 0, () => `contacts not final in MongoDB: ${show(notFinal)}`);
  expect(final === contacts, () => `${final} of ${contacts} contacts final in MongoDB`);
  expect(
    isDeepStrictEqual(byStatus, nonZero(counters.contacts)),
    () => `contacts by status: MongoDB ${show(byStatus)} ≠ counters ${show(nonZero(counters.contacts))}`,
  );

  // Calls: placed and by outcome, counters against MongoDB's call records.
  const recorded = await store.countCalls(campaignId);
  const counted = nonZero(Object.fromEntries(callOutcomes.map((o) => [o, counters.calls[o]])));
  expect(
    recorded.placed === counters.calls.placed,
    () => `calls placed: MongoDB ${recorded.placed} ≠ counters ${counters.calls.placed}`,
  );
  expect(
    isDeepStrictEqual(recorded.outcomes, counted),
    () => `calls by outcome: MongoDB ${show(recorded.outcomes)} ≠ counters ${show(counted)}`,
  );

  // The ledger, call by call: every call the carrier placed is a placed call in MongoDB with the
  // same call id and outcome, and there are as many of them as the counters say.
  const [{ calls }, stats, callDocs, contactDocs] = await Promise.all([
    getJson<{ calls: CallView[] }>(`${stack.carrierUrl}/ledger/calls?campaignId=${campaignId}`),
    ledgerStats(stack, campaignId),
    store.calls.find({ campaignId }, { projection: { _id: 1, callId: 1, status: 1, outcome: 1 } }).toArray(),
    store.contacts.find({ campaignId }, { projection: { _id: 1, attempts: 1 } }).toArray(),
  ]);
  expect(
    calls.length === counters.calls.placed,
    () => `the ledger holds ${count(calls.length, 'call')}, the counters ${counters.calls.placed}`,
  );
  const docs = new Map(callDocs.map((d) => [d._id, d]));
  const unmatched: string[] = [];
  const outcomeDiffers: string[] = [];
  for (const call of calls) {
    const doc = docs.get(call.idempotencyKey);
    if (doc?.status !== 'ended' || doc.callId !== call.callId) unmatched.push(call.idempotencyKey);
    else if (doc.outcome !== call.outcome) {
      outcomeDiffers.push(
        `${call.idempotencyKey} (carrier ${call.outcome}, MongoDB ${doc.outcome ?? 'none'})`,
      );
    }
  }
  const placedDocs = callDocs.filter((d) => d.status === 'ended' && d.callId !== undefined).length;
  expect(
    unmatched.length === 0,
    () =>
      `${count(unmatched.length, 'ledger call')} without a matching placed call in MongoDB: ${some(unmatched)}`,
  );
  expect(
    outcomeDiffers.length === 0,
    () =>
      `${count(outcomeDiffers.length, 'call')} recorded with another outcome than the carrier's: ${some(outcomeDiffers)}`,
  );
  expect(
    placedDocs === calls.length,
    () => `MongoDB records ${count(placedDocs, 'placed call')}, the ledger ${calls.length}`,
  );
  expect(stats.liveCalls === 0, () => `${count(stats.liveCalls, 'call')} still live at the carrier`);
  expect(
    stats.callbacksFailed === 0,
    () => `the carrier gave up on ${count(stats.callbacksFailed, 'callback')}`,
  );

  // No second call: none per key, none per contact attempt under another key, none beyond the
  // attempt budget, none after the callee answered; and every attempt a contact made recorded once.
  const keysTwice = calls.length - new Set(calls.map((c) => c.idempotencyKey)).size;
  const attemptsTwice = calls.length - new Set(calls.map((c) => `${c.contactId}:${c.attempt}`)).size;
  const byContact = new Map<string, CallView[]>();
  for (const c of calls) byContact.set(c.contactId, [...(byContact.get(c.contactId) ?? []), c]);
  const overBudget = [...byContact.values()].filter((cs) => cs.length > MAX_ATTEMPTS).length;
  const calledAfterAnswer = [...byContact.values()]
    .filter((cs) => cs.some((c) => c.outcome === 'answered' && cs.some((later) => later.attempt > c.attempt)))
    .map((cs) => cs[0]?.to ?? '');
  const attempts = contactDocs.reduce((sum, c) => sum + (c.attempts ?? 0), 0);
  expect(keysTwice === 0, () => `${count(keysTwice, 'idempotency key')} dialed twice`);
  expect(attemptsTwice === 0, () => `${count(attemptsTwice, 'contact attempt')} dialed under two keys`);
  expect(overBudget === 0, () => `${count(overBudget, 'contact')} called more than ${MAX_ATTEMPTS} times`);
  expect(
    calledAfterAnswer.length === 0,
    () =>
      `${count(calledAfterAnswer.length, 'contact')} called again after answering: ${some(calledAfterAnswer)}`,
  );
  expect(
    attempts === callDocs.length,
    () => `contacts made ${count(attempts, 'attempt')}, MongoDB records ${callDocs.length}`,
  );

  return {
    problems,
    final,
    calls: calls.length,
    redials: calls.filter((c) => c.attempt > 1).length,
    dialedTwice: keysTwice + attemptsTwice,
    calledAfterAnswer: calledAfterAnswer.length,
    refused: stats.duplicatesRefused,
  };
}

const count = (k: number, noun: string) => `${n(k)} ${noun}${k === 1 ? '' : 's'}`;
/** The first few of a list, enough to look them up. */
const some = (items: string[]) => items.slice(0, 3).join(', ') + (items.length > 3 ? ', …' : '');

const nothing = { final: 0, calls: 0, redials: 0, dialedTwice: 0, calledAfterAnswer: 0, refused: 0 };

function flatten(counters: CampaignCounters): Record<string, number> {
  return {
    total: counters.total,
    ...nonZero(counters.contacts),
    ...Object.fromEntries(Object.entries(nonZero(counters.calls)).map(([k, v]) => [`calls.${k}`, v])),
  };
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
