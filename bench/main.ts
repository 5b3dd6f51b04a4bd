import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Db } from 'mongodb';
import { campaignWorkflowId } from '../src/domain/ids';
import { benchContacts, round, VoiceGenieClient } from './client';
import { CHILD_LEGS, childPath, type ChildPath } from './scenarios/child-path';
import { handOvers, type HandOvers } from './scenarios/hand-overs';
import { runHistories } from './histories';
import { cpuSeconds, cpuSpent, type CpuSeconds } from './cpu';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Stack, resetPeakRss } from './stack';
import {
  readServerTasks,
  serverTasksBetween,
  type ServerTaskRow,
  type ServerTaskTotals,
} from './server-tasks';
import { fuzzRun, RSS_EVERY } from './scenarios/fuzz';
import { largestHistory } from './scenarios/scale';
import { schedulePrecision } from './scenarios/schedule-precision';
import { startLatency } from './scenarios/start-latency';
import { statusLoad } from './scenarios/status-load';
import { parentTasks, peakMemory, type ParentTasks, runBaseline, runCampaign } from './scenarios/throughput';
import { CAMPAIGN_LISTING_SIZES, campaignListingReads } from './campaign-listing';
import { CAMPAIGN_LOOKUP_SIZES, campaignLookupReads } from './campaign-lookup';
import { CAMPAIGN_REPORTS_SIZES, campaignReportsReads } from './campaign-reports';
import { DNC_CHECK_SIZES, dncCheckReads } from './dnc-check';
import { timeReads, type ReadCases, type TimedReads } from './local-mongo';

const SCENARIOS = ['throughput', 'latency', 'precision', 'load', 'fuzz', 'reads', 'scale'] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Options {
  only: Scenario[];
  throughputContacts: number;
  /** Contacts scheduled across one minute, one precision run each. */
  precisionContacts: number[];
  scaleContacts: number;
  fuzzRequests: number;
  /** Any seed reproduces its run; a new one each run explores further. */
  fuzzSeed: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    only: SCENARIOS.filter((s) => s !== 'scale'),
    throughputContacts: 10_000,
    // 2,000 in a minute asks for more first calls a second than this server may sustain; 1,000
    // and 200 do not, so those runs show the timers' own precision apart from the capacity.
    precisionContacts: [2000, 1000, 200],
    scaleContacts: 100_000,
    fuzzRequests: 20_000,
    fuzzSeed: Math.floor(Math.random() * 2 ** 31),
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--scale') options.only = [...new Set([...options.only, 'scale' as const])];
    else if (arg === '--only') {
      const names = value().split(',');
      const unknown = names.filter((n) => !SCENARIOS.includes(n as Scenario));
      if (unknown.length)
        throw new Error(`unknown scenario ${unknown.join(', ')}: choose from ${SCENARIOS.join(', ')}`);
      options.only = names as Scenario[];
    } else if (arg === '--contacts') [options.throughputContacts] = positiveCounts(arg, value(), 1);
    else if (arg === '--precision-contacts') options.precisionContacts = positiveCounts(arg, value());
    else if (arg === '--scale-contacts') [options.scaleContacts] = positiveCounts(arg, value(), 1);
    else if (arg === '--fuzz-requests') [options.fuzzRequests] = positiveCounts(arg, value(), 1);
    else if (arg === '--fuzz-seed') options.fuzzSeed = Number(value());
    else
      throw new Error(
        `unknown argument ${arg}: use --scale, --only <${SCENARIOS.join('|')}>, --contacts N, --precision-contacts N[,N…], --scale-contacts N, --fuzz-requests N, --fuzz-seed N`,
      );
  }
  return options;
}

/**
 * The reads an operator's and an API caller's requests make among many stored campaigns, contacts
 * and do-not-call numbers, each on a database of its own on the stack's MongoDB-wire server, at
 * the sizes its own command measures by default.
 */
const READS: [name: string, prepare: (db: Db) => Promise<ReadCases>][] = [
  ['campaignLookup', (db) => campaignLookupReads(db, ...CAMPAIGN_LOOKUP_SIZES)],
  ['campaignReports', (db) => campaignReportsReads(db, ...CAMPAIGN_REPORTS_SIZES)],
  ['campaignListing', (db) => campaignListingReads(db, ...CAMPAIGN_LISTING_SIZES)],
  ['dncCheck', (db) => dncCheckReads(db, ...DNC_CHECK_SIZES)],
];

/** `1500,1250` → [1500, 1250]; anything but whole numbers above zero (at most `most`) is refused, naming the flag. */
function positiveCounts(flag: string, text: string, most = Infinity): [number, ...number[]] {
  const counts = text.split(',').map(Number);
  const [first, ...rest] = counts;
  if (first === undefined || counts.length > most || counts.some((n) => !Number.isInteger(n) || n <= 0)) {
    const what = most === 1 ? 'a whole number above zero' : 'whole numbers above zero, comma-separated';
    throw new Error(`${flag} takes ${what} (got "${text}")`);
  }
  return [first, ...rest];
}

const say = (line: string) => console.log(line);

/** `temporal 40.1, worker 20.3, …`: CPU milliseconds per item, by process. */
function perItem(spent: CpuSeconds, items: number): string {
  const parts = Object.entries(spent).map(([name, s]) => `${name} ${round((s * 1000) / items, 1)}`);
  return parts.join(', ') || 'not measured (no /proc)';
}

/** `3 runs, 812 completed, 1 (SCHEDULE_TO_START 1) timed out, 2 (UNHANDLED_COMMAND 2) failed; waited …` */
function describeTasks(tasks: ParentTasks): string {
  const tally = (counts: Record<string, number>, prefix: string) => {
    const entries = Object.entries(counts);
    const total = entries.reduce((sum, [, n]) => sum + n, 0);
    const named = entries.map(([name, n]) => `${name.replace(prefix, '')} ${n}`);
    return `${total}` + (named.length ? ` (${named.join(', ')})` : '');
  };
  return (
    `${tasks.runs} runs, ${tasks.completed} completed, ${tally(tasks.timedOut, 'TIMEOUT_TYPE_')} timed out, ` +
    `${tally(tasks.failed, 'WORKFLOW_TASK_FAILED_CAUSE_')} failed; waited to be taken p50 ${tasks.waitP50Ms} ms, ` +
    `p99 ${tasks.waitP99Ms} ms, max ${tasks.waitMaxMs} ms` +
    tasks.incidents
      .map(
        (i) =>
          `; run ${i.run} event ${i.eventId} of ${i.runEvents}, its task scheduled at ${i.scheduledAtS} s: ` +
          `${i.what} after ${i.lastedMs} ms, following ${i.before.join(', ')}` +
          (i.nextTaskMs !== undefined ? `; the next task ran ${i.nextTaskMs} ms` : ''),
      )
      .join('')
  );
}

/** `cycle p50 6338 ms (p90 …), 2 workflow tasks, the parent's 0.34 a child; legs …`: a slot's time, leg by leg. */
function describePath(path: ChildPath): string {
  const legs = CHILD_LEGS.map(([leg]) => `${leg} ${path.legs[leg].p50Ms} (${path.legs[leg].p90Ms})`);
  return (
    `cycle p50 ${path.cycleP50Ms} ms (p90 ${path.cycleP90Ms}), ${path.tasksP50} workflow tasks, ` +
    `the parent's ${path.parentTasksPerChild} a child; ` +
    `legs p50 (p90) ms: ${legs.join(', ')}`
  );
}

/** `8, ≈ 61.2 s lost of 898.2 s; drain p50 …`: what continuing as new cost the rate of starts. */
function describeHandOvers(h: HandOvers, wallS: number): string {
  if (h.count === 0) return 'none (one run)';
  return (
    `${h.count}, ≈ ${h.lostS} s lost of ${wallS} s at each run's own rate; ` +
    `drain of pending starts p50 ${h.drainP50S} s at ${round(h.drainShareP50 * 100, 0)}% of the run's rate, ` +
    `then no child started for p50 ${h.gapP50S} s; each (drain s, gap s of which closing, lost s): ` +
    h.items.map((i) => `${i.drainS}/${i.gapS}(${i.closeS})/${i.lostS}`).join(', ')
  );
}

/** `StartChildExecution 1494 × 13565 ms (504 running), …`: the server's busiest task types. */
function describeServerTasks(rows: ServerTaskRow[]): string {
  if (rows.length === 0) return 'not measured (no metrics endpoint)';
  const shown = rows
    .slice(0, 6)
    .map((r) => `${r.task} ${r.count} × ${r.meanQueueMs} ms (${r.meanProcessingMs} running)`);
  return `mean from created to done: ${shown.join(', ')}`;
}

/**
 * `npm run bench`: brings up the local servers and the engine's processes, runs each scenario
 * and prints one table; the figures go to bench/results/<date>.json as well.
 */
async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const stack = new Stack({ simCallMs: 0, log: say });
  const results: Record<string, unknown> = {};
  const table: [string, string, string][] = [];
  const report = (...rows: [string, string, string][]) => {
    table.push(...rows);
    for (const row of rows) say(`  → ${row.join(': ')}`);
  };
  let finished = false;
  try {
    await stack.start();
    const vg = new VoiceGenieClient(stack.apiUrl, stack.apiKey);
    say(`engine up: API ${stack.apiUrl}, carrier ${stack.carrierUrl}, data ${stack.dataDir}`);

    if (options.only.includes('throughput')) {
      const n = options.throughputContacts;
      for (const p of [stack.api, ...stack.workers]) resetPeakRss(p?.child.pid);
      say(`throughput: a ${n}-contact campaign, maxConcurrentCalls 200, carrier delay 0 …`);
      const metricsUrl = stack.temporal.metricsUrl;
      const serverTasks = async (): Promise<ServerTaskTotals> =>
        metricsUrl ? readServerTasks(metricsUrl) : new Map();
      const tasksAtStart = await serverTasks();
      const cpuAtStart = cpuSeconds();
      const engine = await runCampaign(stack, vg, n, 1, 200);
      const cpuAtEngineEnd = cpuSeconds();
      const engineServerTasks = serverTasksBetween(tasksAtStart, await serverTasks());
      const memory = peakMemory(stack);
      const history = await largestHistory(stack, engine.campaignId);
      const campaignRuns = await runHistories(stack, campaignWorkflowId(engine.campaignId));
      const tasks = parentTasks(campaignRuns);
      const path = await childPath(stack, campaignRuns);
      const campaignHandOvers = handOvers(campaignRuns);
      say(`throughput: the bare-Temporal baseline, ${n} trivial children in a window of 200 …`);
      const tasksAtBaselineStart = await serverTasks();
      const cpuAtBaselineStart = cpuSeconds();
      const baseline = await runBaseline(stack, n, 200);
      const baselineServerTasks = serverTasksBetween(tasksAtBaselineStart, await serverTasks());
      const baselineRuns = await runHistories(stack, baseline.workflowIds[0]);
      const baselineTasks = parentTasks(baselineRuns);
      const baselinePath = await childPath(stack, baselineRuns);
      const baselineHandOvers = handOvers(baselineRuns);
      const cpu = {
        engine: cpuSpent(cpuAtStart, cpuAtEngineEnd),
        baseline: cpuSpent(cpuAtBaselineStart, cpuSeconds()),
      };
      const ratio = round(engine.contactsPerS / baseline.childrenPerS, 2);
      results.throughput = {
        engine,
        baseline,
        ratio,
        largestHistoryEvents: history.events,
        campaignTasks: tasks,
        baselineParentTasks: baselineTasks,
        paths: { engine: path, baseline: baselinePath },
        handOvers: { engine: campaignHandOvers, baseline: baselineHandOvers },
        serverTasks: { engine: engineServerTasks, baseline: baselineServerTasks },
        cpuSeconds: cpu,
      };
      results.memory = memory;
      report(
        ['throughput', `engine, ${n} contacts`, `${engine.contactsPerS} contacts/s (${engine.wallS} s)`],
        [
          'throughput',
          `bare Temporal, ${n} children`,
          `${baseline.childrenPerS} children/s (${baseline.wallS} s)`,
        ],
        ['throughput', 'ratio engine / baseline', `${ratio} (target ≥ 0.5)`],
        [
          'throughput',
          'largest history',
          `${history.events} events over ${history.workflows} workflows (limit 10,000)`,
        ],
        ['throughput', 'campaign workflow tasks', describeTasks(tasks)],
        ['throughput', `a contact's path (${path.sampled} sampled)`, describePath(path)],
        ['throughput', "the baseline parent's workflow tasks", describeTasks(baselineTasks)],
        ['throughput', `a bare child's path (${baselinePath.sampled} sampled)`, describePath(baselinePath)],
        ['throughput', "the campaign's hand-overs", describeHandOvers(campaignHandOvers, engine.wallS)],
        [
          'throughput',
          "the baseline parent's hand-overs",
          describeHandOvers(baselineHandOvers, baseline.wallS),
        ],
        ['throughput', "the server's tasks, engine run", describeServerTasks(engineServerTasks)],
        ['throughput', "the server's tasks, baseline run", describeServerTasks(baselineServerTasks)],
        ['memory', 'peak RSS, worker / API', `${memory.workerPeakRssMiB} MiB / ${memory.apiPeakRssMiB} MiB`],
        ['cpu', `engine run, ms per contact`, perItem(cpu.engine, n)],
        ['cpu', `baseline run, ms per child`, perItem(cpu.baseline, n)],
      );
    }

    if (options.only.includes('latency')) {
      say('start latency: 30 × POST /uploadCampaignDataAndRun with 1,000 contacts …');
      const latency = await startLatency(stack, vg);
      results.startLatency = latency;
      report(
        [
          'start latency',
          `${latency.runs} runs × ${latency.contacts} contacts`,
          `p50 ${latency.p50Ms} ms, p95 ${latency.p95Ms} ms (target p50 < 150 ms); insertMany of the same 1,000 documents alone: p50 ${latency.insertFloorP50Ms} ms; the engine's part above it: p50 ${latency.aboveFloorP50Ms} ms`,
        ],
        [
          'cancel',
          `${latency.runs} campaigns just started`,
          `request to workflow closed p50 ${latency.cancelP50Ms} ms, the last (${latency.runs * latency.contacts} contacts stored) ${latency.cancelLastMs} ms`,
        ],
      );
    }

    if (options.only.includes('precision')) {
      for (const [i, contacts] of options.precisionContacts.entries()) {
        say(`schedule precision: ${contacts} contacts scheduled across one minute …`);
        // A density asked for again runs on numbers of its own (see the scenario's seed) and keeps its figures apart.
        const repeat = options.precisionContacts.slice(0, i).filter((n) => n === contacts).length;
        const precision = await schedulePrecision(stack, vg, contacts, { repeat });
        const campaignRuns = await runHistories(stack, campaignWorkflowId(precision.campaignId));
        const tasks = parentTasks(campaignRuns);
        const campaignHandOvers = handOvers(campaignRuns);
        const { overASecond: over } = precision;
        results[`schedulePrecision${contacts}${repeat > 0 ? `_${repeat + 1}` : ''}`] = {
          ...precision,
          campaignTasks: tasks,
          handOvers: campaignHandOvers,
        };
        report(
          [
            'schedule precision',
            `${precision.contacts} contacts over ${precision.spreadS} s`,
            `late p50 ${precision.p50LateMs} ms, p99 ${precision.p99LateMs} ms, earliest ${precision.earliestMs} ms (target p99 < 1000 ms); first calls ${precision.placedPerS}/s placed, ${precision.askedPerS}/s asked; ` +
              `${over.calls} over 1 s late` +
              (over.calls > 0 ? `, scheduled from ${over.fromS} s to ${over.toS} s into the minute` : ''),
          ],
          ['schedule precision', "the campaign's workflow tasks", describeTasks(tasks)],
          [
            'schedule precision',
            "the campaign's hand-overs",
            describeHandOvers(campaignHandOvers, precision.spreadS),
          ],
        );
      }
    }

    if (options.only.includes('load')) {
      say('status load: 200 clients polling a running campaign for 60 s …');
      const contacts = benchContacts(5000, 30_000).map((c) => ({
        ...c,
        custom_data: { simulate: { delayMs: 2000 } },
      }));
      const campaignId = await vg.createWithContacts(
        { maxConcurrentCalls: 50, isContextBasedCall: true },
        contacts,
      );
      await vg.ok('GET', `/startCampaignv2/${campaignId}`);
      const load = await statusLoad(stack.apiUrl, stack.apiKey, campaignId);
      await vg.ok('GET', `/pauseTheCampaign/${campaignId}`);
      results.statusLoad = load;
      report([
        'status load',
        `${load.clients} clients × ${load.seconds} s`,
        `${load.requests} requests (${load.perS}/s), p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, ${load.errors} errors, ${load.fromWorkflow} answered by the workflow`,
      ]);
    }

    if (options.only.includes('fuzz')) {
      const { fuzzRequests: n, fuzzSeed: seed } = options;
      say(`fuzz: ${n} bad requests over every route of every dialect, seed ${seed} …`);
      const fuzz = await fuzzRun(stack, seed, n);
      results.fuzz = fuzz;
      for (const line of fuzz.offenders) say(`    ${line}`);
      report(
        [
          'fuzz',
          `${fuzz.requests} requests, seed ${fuzz.seed}`,
          `${fuzz.serverErrors} 5xx or unanswered (target 0), ${fuzz.badEnvelopes} outside their dialect's envelope, ${fuzz.accepted} valid after all; ${fuzz.perS} requests/s`,
        ],
        ['fuzz', `API RSS every ${RSS_EVERY} requests`, `${fuzz.apiRssMiB.join(', ')} MiB`],
      );
    }

    if (options.only.includes('reads')) {
      const timed: Record<string, TimedReads> = {};
      for (const [name, prepare] of READS) {
        say(`reads: ${name} …`);
        const db = stack.ctx.mongo.client.db(`bench_reads_${name}_${Date.now()}`);
        try {
          timed[name] = await timeReads(await prepare(db));
        } finally {
          await db.dropDatabase();
        }
        const { title, medianMs } = timed[name];
        report([
          'reads',
          title,
          Object.entries(medianMs)
            .map(([read, ms]) => `${read} ${ms} ms`)
            .join('; '),
        ]);
      }
      results.reads = timed;
    }

    if (options.only.includes('scale')) {
      const n = options.scaleContacts;
      say(`scale: a ${n}-contact campaign …`);
      const run = await runCampaign(stack, vg, n, 2, 200, say);
      const history = await largestHistory(stack, run.campaignId);
      const runs = await stack.ctx.temporal.workflow
        .getHandle(campaignWorkflowId(run.campaignId))
        .describe()
        .then((d) => d.historyLength);
      results.scale = {
        ...run,
        largestHistoryEvents: history.events,
        workflowsListed: history.workflows,
        lastRunEvents: runs,
      };
      report([
        'scale',
        `${n} contacts`,
        `${run.wallS} s, ${run.contactsPerS} contacts/s, largest history ${history.events} events (limit 10,000)`,
      ]);
    }
    finished = true;
  } finally {
    await stack.stop({ keepData: !finished });
  }

  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  say('');
  say(`machine: ${machine}`);
  const widths = [0, 1].map((c) => Math.max(...table.map((row) => row[c]?.length ?? 0)));
  for (const [a, b, c] of table) say(`${a.padEnd(widths[0] ?? 0)}  ${b.padEnd(widths[1] ?? 0)}  ${c}`);
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().slice(0, 10)}.json`);
  // A run of some scenarios keeps the figures the day's earlier runs measured for the others, each
  // with the machine it ran on: a day's runs may land on machines of different speeds.
  const earlier = existsSync(file)
    ? ((JSON.parse(readFileSync(file, 'utf8')) as { results?: Record<string, unknown> }).results ?? {})
    : {};
  const at = new Date().toISOString();
  const args = process.argv.slice(2);
  const latest = Object.fromEntries(
    Object.entries(results).map(([name, figures]) => [name, { at, args, machine, ...(figures as object) }]),
  );
  writeFileSync(
    file,
    `${JSON.stringify({ date: at, machine, results: { ...earlier, ...latest } }, null, 2)}\n`,
  );
  say(`results: ${file}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
