import { temporal } from '@temporalio/proto';
import { percentile, round } from '../client';
import { eventMs, localActivityResult, type History } from '../histories';

const { EventType } = temporal.api.enums.v1;

/** One run's hand-over to the next, read from the parent's histories. */
export interface HandOver {
  /** The run that ended, in the order the runs started (0: the first). */
  run: number;
  /** Children the run had started a second, from its first child started to its last request. */
  runRate: number;
  /**
   * From the run's last request to start a child to its last child started (s): a run cannot
   * continue as new with a start pending, so it asks for no more while the server works through them.
   */
  drainS: number;
  /** Children started a second during the drain. */
  drainRate: number;
  /** From the run's last child started to the next run's first (s): no child starts at all. */
  gapS: number;
  /**
   * The part of the gap up to the run's close (s): its continue-as-new, with any refusals of it and
   * the replays they bring; the rest is the next run's own start until it starts a child.
   */
  closeS: number;
  /**
   * What the hand-over cost in seconds at the run's own rate: the drain and the gap, less the time
   * the children started in the drain would have taken at that rate.
   */
  lostS: number;
}

export interface HandOvers {
  count: number;
  /** The sum of `lostS` over the hand-overs. */
  lostS: number;
  drainP50S: number;
  gapP50S: number;
  /** The drain's rate over the run's, the median over the hand-overs. */
  drainShareP50: number;
  items: HandOver[];
}

interface RunStarts {
  /** The run's place among all of the parent's runs, those that started no child included. */
  run: number;
  requests: number[];
  starts: number[];
  /** When its last event was written: for a run that continued as new, its close. */
  closedAt: number;
}

function runStarts(history: History, run: number): RunStarts {
  const events = history.events ?? [];
  const requests: number[] = [];
  const starts: number[] = [];
  for (const event of events) {
    if (event.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED) {
      requests.push(eventMs(event));
    } else if (event.eventType === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED) {
      starts.push(eventMs(event));
    } else {
      // A run winding down starts its contacts outside itself, in a local activity: each it started
      // counts as asked for and started when the activity's result was recorded.
      const started = (localActivityResult<boolean[]>(event, 'startContactWorkflows') ?? []).filter(Boolean);
      const at = started.map(() => eventMs(event));
      requests.push(...at);
      starts.push(...at);
    }
  }
  const last = events.at(-1);
  return { run, requests, starts, closedAt: last ? eventMs(last) : 0 };
}

/**
 * What each continue-as-new of a parent costs the rate at which it starts children: the drain of
 * the run's pending starts, with no new ones asked for, and the gap until the next run's first
 * child starts. `parentRuns` in the order the runs started (as `runHistories` gives them); every
 * run but the last hands over, and a run that started no child is left out.
 */
export function handOvers(parentRuns: History[]): HandOvers {
  const runs = parentRuns
    .map((history, i) => runStarts(history, i))
    .filter((r) => r.starts.length > 0 && r.requests.length > 0);
  const items: HandOver[] = [];
  runs.slice(0, -1).forEach((run, i) => {
    const next = runs[i + 1] as RunStarts;
    const firstStart = run.starts[0] as number;
    const lastRequest = run.requests.at(-1) as number;
    const lastStart = run.starts.at(-1) as number;
    const before = run.starts.filter((t) => t <= lastRequest).length;
    const inDrain = run.starts.length - before;
    const runRate = before / Math.max(0.001, (lastRequest - firstStart) / 1000);
    const drainS = Math.max(0, lastStart - lastRequest) / 1000;
    const gapS = Math.max(0, (next.starts[0] as number) - lastStart) / 1000;
    items.push({
      run: run.run,
      runRate: round(runRate),
      drainS: round(drainS),
      drainRate: round(drainS > 0 ? inDrain / drainS : 0),
      gapS: round(gapS),
      closeS: round(Math.min(gapS, Math.max(0, run.closedAt - lastStart) / 1000)),
      lostS: round(Math.max(0, drainS + gapS - inDrain / Math.max(runRate, 0.001))),
    });
  });
  const median = (values: number[]) => (values.length ? round(percentile(values, 50)) : 0);
  return {
    count: items.length,
    lostS: round(items.reduce((sum, h) => sum + h.lostS, 0)),
    drainP50S: median(items.map((h) => h.drainS)),
    gapP50S: median(items.map((h) => h.gapS)),
    drainShareP50: median(items.map((h) => (h.runRate > 0 ? h.drainRate / h.runRate : 0))),
    items,
  };
}
