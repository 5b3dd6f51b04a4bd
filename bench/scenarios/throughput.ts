import { randomUUID } from 'node:crypto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { finishedContacts } from '../../src/domain/counters';
import { campaignWorkflowId } from '../../src/domain/ids';
import { HISTORY_EVENTS_LIMIT } from '../../src/domain/history';
import type { CampaignResult } from '../../workflows/campaign';
import { statusQuery } from '../../workflows/messages';
import { benchContacts, percentile, round, type VoiceGenieClient } from '../client';
import { eventMs, type History, type HistoryEvent } from '../histories';
import { peakRssMiB, type Stack } from '../stack';

const PROGRESS_INTERVAL_MS = 60_000;

export interface CampaignRun {
  contacts: number;
  wallS: number;
  contactsPerS: number;
  callsPlaced: number;
  campaignId: string;
}

/**
 * One campaign of `contacts` contacts, every one answered at the first attempt, from the start
 * request to `completed`, through the API, the worker process and the simulated carrier. With
 * `progress`, a run that takes hours says every minute how far it is, so it can be judged early.
 */
export async function runCampaign(
  stack: Stack,
  vg: VoiceGenieClient,
  contacts: number,
  seed: number,
  maxConcurrentCalls: number,
  progress?: (line: string) => void,
): Promise<CampaignRun> {
  const campaignId = await vg.createWithContacts({ maxConcurrentCalls }, benchContacts(contacts, seed));
  const started = performance.now();
  await vg.ok('GET', `/startCampaignv2/${campaignId}`);
  const handle = stack.ctx.temporal.workflow.getHandle(campaignWorkflowId(campaignId));
  const ticker =
    progress &&
    setInterval(() => {
      handle.query(statusQuery).then(
        (s) => {
          const done = finishedContacts(s.counters);
          const elapsedS = (performance.now() - started) / 1000;
          progress(
            `  ${Math.round(elapsedS)} s: ${done} of ${contacts} final (${round(done / elapsedS)}/s), history ${s.historyLength}`,
          );
        },
        (err: unknown) => progress(`  status query failed: ${String(err)}`),
      );
    }, PROGRESS_INTERVAL_MS);
  const result = (await handle.result().finally(() => clearInterval(ticker))) as CampaignResult;
  const wallS = (performance.now() - started) / 1000;
  if (result.status !== 'completed') throw new Error(`campaign ${campaignId} ended ${result.status}`);
  return {
    contacts,
    wallS: round(wallS),
    contactsPerS: round(contacts / wallS),
    callsPlaced: result.counters.calls.placed,
    campaignId,
  };
}

export interface ParentTasks {
  runs: number;
  /** Workflow tasks the parent's runs completed. */
  completed: number;
  /**
   * Tasks the server timed out, by timeout type, or the worker failed, by cause: each makes the
   * worker replay the run's history.
   */
  timedOut: Record<string, number>;
  failed: Record<string, number>;
  /** How long the campaign's tasks waited for a worker to take them (ms), from their events' times. */
  waitP50Ms: number;
  waitP99Ms: number;
  waitMaxMs: number;
  /** Each task that timed out or failed, where it fell in its run and what came before it. */
  incidents: TaskIncident[];
}

export interface TaskIncident {
  /** The run's place among the parent's runs (0: the first). */
  run: number;
  /** The timeout's or failure's event, of the run's `runEvents`. */
  eventId: number;
  runEvents: number;
  /**
   * Seconds from the run's start to the task's scheduling; a task scheduled again after one that
   * timed out before it was taken counts from that one, as its wait does.
   */
  scheduledAtS: number;
  /** From the task's scheduling to its timeout or failure (ms). */
  lastedMs: number;
  what: string;
  /** The types of the events just before the task was scheduled, oldest first. */
  before: string[];
  /**
   * How long the run's next task ran, from its start to its end (ms): after a failure or a timeout,
   * the worker replays the run's whole history in it, and the run starts no contact meanwhile.
   */
  nextTaskMs?: number;
}

/** How many events before an incident's task are named: enough to see what the run was doing. */
const INCIDENT_CONTEXT_EVENTS = 4;

const { EventType, WorkflowTaskFailedCause, TimeoutType } = temporal.api.enums.v1;

/**
 * The workflow tasks of every run of a parent (the campaign, or the baseline's), read from their
 * histories: a task that timed out or failed costs the worker a replay of the run's whole history
 * (thousands of events), so their count says how much of the worker's time went to replays; how
 * long the tasks waited to be taken says how long the parent stood still, starting no child.
 */
export function parentTasks(runs: History[]): ParentTasks {
  const counts = {
    runs: runs.length,
    completed: 0,
    timedOut: {} as Record<string, number>,
    failed: {} as Record<string, number>,
  };
  const waits: number[] = [];
  const incidents: TaskIncident[] = [];
  runs.forEach((history, run) => {
    const events = history.events ?? [];
    const runStart = events[0] ? eventMs(events[0]) : 0;
    // The current task's first scheduling, and whether a worker has taken it since.
    let scheduledIndex = 0;
    let taken = true;
    let startedAt = 0;
    // The last incident, until the task after it ends.
    let awaitingNext: TaskIncident | undefined;
    const taskEnded = (event: HistoryEvent) => {
      if (awaitingNext && startedAt > 0) awaitingNext.nextTaskMs = eventMs(event) - startedAt;
      awaitingNext = undefined;
      startedAt = 0;
    };
    const incident = (event: HistoryEvent, what: string) => {
      const taskAt = eventMs(events[scheduledIndex] ?? event);
      awaitingNext = {
        run,
        eventId: Number(event.eventId ?? 0),
        runEvents: events.length,
        scheduledAtS: round((taskAt - runStart) / 1000),
        lastedMs: eventMs(event) - taskAt,
        what,
        before: events
          .slice(Math.max(0, scheduledIndex - INCIDENT_CONTEXT_EVENTS), scheduledIndex)
          .map((e) => (EventType[e.eventType ?? 0] ?? 'unknown').replace('EVENT_TYPE_', '')),
      };
      incidents.push(awaitingNext);
    };
    events.forEach((event, index) => {
      // A task timed out before it was taken is scheduled again: its wait runs from the first.
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) {
        if (taken) scheduledIndex = index;
        taken = false;
      } else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) {
        if (!taken) waits.push(eventMs(event) - eventMs(events[scheduledIndex] ?? event));
        taken = true;
        startedAt = eventMs(event);
      } else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
        counts.completed += 1;
        taskEnded(event);
      } else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) {
        const type = TimeoutType[event.workflowTaskTimedOutEventAttributes?.timeoutType ?? 0] ?? 'unknown';
        counts.timedOut[type] = (counts.timedOut[type] ?? 0) + 1;
        taskEnded(event);
        incident(event, type);
      } else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) {
        const cause =
          WorkflowTaskFailedCause[event.workflowTaskFailedEventAttributes?.cause ?? 0] ?? 'unknown';
        counts.failed[cause] = (counts.failed[cause] ?? 0) + 1;
        taskEnded(event);
        incident(event, cause);
      }
    });
  });
  return {
    ...counts,
    waitP50Ms: waits.length ? round(percentile(waits, 50), 0) : 0,
    waitP99Ms: waits.length ? round(percentile(waits, 99), 0) : 0,
    waitMaxMs: waits.length ? Math.max(...waits) : 0,
    incidents,
  };
}

export interface Baseline {
  /** The parents' workflow ids: one, unless the run split the children among several. */
  workflowIds: [string, ...string[]];
  children: number;
  wallS: number;
  childrenPerS: number;
}

/**
 * The bare-Temporal baseline on the same server: `bench/baseline/workflows.ts` on a worker of its
 * own, with the engine's worker settings. With `parents` above 1, as many parents share the
 * children and the window evenly, all at once.
 */
export async function runBaseline(
  stack: Stack,
  children: number,
  window: number,
  parents = 1,
): Promise<Baseline> {
  // A parent with no window or no children would finish at once, having started nothing.
  if (!Number.isInteger(parents) || parents < 1 || parents > Math.min(window, children)) {
    throw new RangeError(`parents must be a whole number from 1 to ${Math.min(window, children)}`);
  }
  const taskQueue = `bench-baseline-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address: stack.temporal.address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: require.resolve('../baseline/workflows'),
    maxConcurrentWorkflowTaskExecutions: 100,
    maxCachedWorkflows: 2000,
  });
  const running = worker.run();
  try {
    const started = performance.now();
    const parentId = () => `baseline-${randomUUID()}`;
    const workflowIds: Baseline['workflowIds'] = [
      parentId(),
      ...Array.from({ length: parents - 1 }, parentId),
    ];
    const share = (n: number, i: number) => Math.floor(n / parents) + (i < n % parents ? 1 : 0);
    await Promise.all(
      workflowIds.map((workflowId, i) =>
        stack.ctx.temporal.workflow.execute('baselineParent', {
          taskQueue,
          workflowId,
          args: [{ total: share(children, i), window: share(window, i), historyLimit: HISTORY_EVENTS_LIMIT }],
        }),
      ),
    );
    const wallS = (performance.now() - started) / 1000;
    return { workflowIds, children, wallS: round(wallS), childrenPerS: round(children / wallS) };
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
}

export interface Memory {
  workerPeakRssMiB?: number;
  apiPeakRssMiB?: number;
}

export function peakMemory(stack: Stack): Memory {
  return {
    workerPeakRssMiB: peakRssMiB(stack.workers[0]?.child.pid),
    apiPeakRssMiB: peakRssMiB(stack.api?.child.pid),
  };
}
