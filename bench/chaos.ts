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
 * `npm run chaos`: three campaigns of `--contacts` contacts with redials, one per fault, on one
 * stack. Each fault is injected once a quarter of its campaign's contacts are final (calls in
 * flight, redials sleeping), and the campaign is then run to `completed` and checked against
 * MongoDB and the carrier's ledger before the next fault. One campaign per fault, rather than
 * three faults in one campaign, because "every contact final" can only be checked once a campaign
 * has ended, and the acceptance asks for it after each fault.
 *
 *   (a) the worker is SIGKILLed and a new one started;
 *   (b) the Temporal dev server is stopped (SIGTERM, as a restart by an operator or a deploy does)
 *       and started again on the same port and SQLite file;
 *   (c) the MongoDB-wire server is stopped (SIGTERM) and started again on the same port and data.
 *
 * Each server stays down for `--downtime` seconds, so that activities, callbacks and polls fail
 * meanwhile; the engine's processes are left to reconnect by themselves.
 */

/** Long enough that calls are live when a fault hits; every answered call also sends in_progress. */
const SIM_CALL_MS = 300;
const MAX_CONCURRENT_CALLS = 100;
const MAX_ATTEMPTS = 3;
/** The carrier's outcomes go by the last digit, so i % 10 yields answers, redials and failures alike. */
const lastDigit = (i: number) => i % 10;
const CAMPAIGN_TIMEOUT_MS = 20 * 60_000;

interface Options {
  contacts: number;
  /** Fraction of the contacts final when the fault is injected. */
  at: number;
  downtimeS: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { contacts: 5000, at: 0.25, downtimeS: 5 };
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
    else throw new Error(`unknown argument ${arg}: use --contacts N, --at FRACTION, --downtime SECONDS`);
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
  const failures: string[] = [];
  const totals = { contacts: 0, calls: 0, refused: 0 };
  try {
    await stack.start();
    const vg = new VoiceGenieClient(stack.apiUrl, stack.apiKey);
    progress(`engine up: API ${stack.apiUrl}, carrier ${stack.carrierUrl}, data ${stack.dataDir}`);
    for (const [index, fault] of FAULTS.entries()) {
      const run = await runFault(stack, vg, fault, options, 7000 + index);
      console.log(run.line);
      for (const problem of run.problems) console.log(`  ✗ ${problem}`);
      failures.push(...run.problems.map((p) => `(${fault.id}) ${p}`));
      totals.contacts += options.contacts;
      totals.calls += run.calls;
      totals.refused += run.refused;
    }
  } finally {
    await stack.stop();
  }
  console.log(
    `totals: ${n(totals.contacts)} contacts, ${n(totals.calls)} calls, ${n(totals.refused)} repeated requests refused; wall ${seconds(began)} s`,
  );
  if (failures.length > 0) {
    console.log(`chaos: FAILED, ${failures.length} check(s) did not hold`);
    process.exitCode = 1;
  } else {
    console.log('chaos: three faults survived, nothing lost, nothing dialed twice');
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
  const deadline = Date.now() + CAMPAIGN_TIMEOUT_MS;

  const target = Math.max(1, Math.floor(contacts * options.at));
  let finalAtFault = 0;
  for (;;) {
    assertAlive(stack, deadline);
    const snapshot = await handle.query(statusQuery).catch(() => undefined);
    finalAtFault = snapshot ? finishedContacts(snapshot.counters) : 0;
    if (finalAtFault >= target) break;
    await sleep(250);
  }
  const live = (await ledgerStats(stack, campaignId)).liveCalls;
  progress(
    `fault (${fault.id}) ${fault.name}: campaign ${campaignId}, ${finalAtFault} final, ${live} calls live`,
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
  if (finalAtFault >= contacts)
    problems.push('the fault landed after the last contact was final: nothing was tested');
  const line =
    `fault (${fault.id}) ${fault.name} (${what}) at ${n(finalAtFault)}/${n(contacts)} final, ${n(live)} ${live === 1 ? 'call' : 'calls'} live: ` +
    `${result.status} in ${wallS} s; ${n(verdict.final)} final; ` +
    `counters = MongoDB = ledger (${n(verdict.calls)} calls, ${n(verdict.redials)} of them redials); ` +
    `${n(verdict.dialedTwice)} keys dialed twice (${n(verdict.refused)} repeated requests refused)`;
  return { line, problems, calls: verdict.calls, refused: verdict.refused };
}

/** Fails fast when an engine process died on its own or the campaign outran its time. */
function assertAlive(stack: Stack, deadline: number): void {
  for (const p of [stack.api, stack.carrier, ...stack.workers]) {
    if (p && (p.child.exitCode !== null || p.child.signalCode !== null)) {
      throw new Error(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode}); see ${p.logFile}`);
    }
  }
  if (Date.now() > deadline)
    throw new Error(`campaign not complete within ${CAMPAIGN_TIMEOUT_MS / 60_000} min`);
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
    () => `the ledger holds ${calls.length} calls, the counters ${counters.calls.placed}`,
  );
  const docs = new Map(callDocs.map((d) => [d._id, d]));
  let unmatched = 0;
  let outcomeDiffers = 0;
  for (const call of calls) {
    const doc = docs.get(call.idempotencyKey);
    if (doc?.status !== 'ended' || doc.callId !== call.callId) unmatched += 1;
    else if (doc.outcome !== call.outcome) outcomeDiffers += 1;
  }
  const placedDocs = callDocs.filter((d) => d.status === 'ended' && d.callId !== undefined).length;
  expect(unmatched === 0, () => `${unmatched} ledger calls have no matching placed call in MongoDB`);
  expect(
    outcomeDiffers === 0,
    () => `${outcomeDiffers} calls ended differently in MongoDB than at the carrier`,
  );
  expect(
    placedDocs === calls.length,
    () => `MongoDB records ${placedDocs} placed calls, the ledger ${calls.length}`,
  );
  expect(stats.liveCalls === 0, () => `${stats.liveCalls} calls still live at the carrier`);
  expect(stats.callbacksFailed === 0, () => `the carrier gave up on ${stats.callbacksFailed} callbacks`);

  // No second call: per key, per contact attempt, per contact beyond its budget; and every attempt a
  // contact made is recorded once.
  const keysTwice = calls.length - new Set(calls.map((c) => c.idempotencyKey)).size;
  const attemptsTwice = calls.length - new Set(calls.map((c) => `${c.contactId}:${c.attempt}`)).size;
  const perContact = new Map<string, number>();
  for (const c of calls) perContact.set(c.contactId, (perContact.get(c.contactId) ?? 0) + 1);
  const overBudget = [...perContact.values()].filter((k) => k > MAX_ATTEMPTS).length;
  const attempts = contactDocs.reduce((sum, c) => sum + c.attempts, 0);
  expect(keysTwice === 0, () => `${keysTwice} idempotency keys were dialed twice`);
  expect(attemptsTwice === 0, () => `${attemptsTwice} contact attempts were dialed under two keys`);
  expect(overBudget === 0, () => `${overBudget} contacts were called more than ${MAX_ATTEMPTS} times`);
  expect(
    attempts === callDocs.length,
    () => `contacts made ${attempts} attempts, MongoDB records ${callDocs.length}`,
  );

  return {
    problems,
    final,
    calls: calls.length,
    redials: calls.filter((c) => c.attempt > 1).length,
    dialedTwice: keysTwice + attemptsTwice,
    refused: stats.duplicatesRefused,
  };
}

const nothing = { final: 0, calls: 0, redials: 0, dialedTwice: 0, refused: 0 };

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
