import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { CallPacer, PacedDialer } from '../dialers/paced';
import { dialTaskQueue } from '../domain/ids';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: Omit<ActivityDeps, 'settings'> & {
    settings: Omit<ActivityDeps['settings'], 'dialTaskQueue' | 'dialLocally'>;
  };
  /** Dial activities per second across all workers of the task queue (0 = no cap). */
  dialMaxCps: number;
  /** A prebuilt workflow bundle (tests build one for the whole run); else the worker bundles the sources. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/**
 * How every workflow bundle of the engine is made (the workers' own, and the prebuilt ones of the
 * tests and the bench). The calling window module is loaded once per worker thread and shared by
 * every workflow it runs, with luxon beneath it: its memo of each zone's UTC offsets, and luxon's
 * Intl formatters, are then built once per zone and worker rather than once per contact workflow
 * (BENCHMARKS.md, throughput). Sharing is sound only for modules whose answers do not depend on
 * which workflow asks, as that memo's do not; a module holding a workflow's state must never be here.
 */
export const workflowBundling = {
  workflowsPath: require.resolve('../../workflows'),
  preloadModules: [require.resolve('../domain/calling-window')],
};

/**
 * Two workers on one connection: workflows and bookkeeping activities on the main task queue;
 * dial activities on their own queue, where the server enforces the calls-per-second cap for every
 * worker at once, and a pacer shared through MongoDB spaces the requests within each second.
 * Without a cap, contacts dial in local activities on the main worker instead; the dial queue is
 * still polled for campaigns whose runs began with a cap.
 */
export async function createWorkers(setup: WorkerSetup): Promise<Worker[]> {
  const dialQueue = dialTaskQueue(setup.taskQueue);
  const dialLocally = setup.dialMaxCps === 0;
  const pacedDialer =
    setup.dialMaxCps > 0
      ? new PacedDialer(
          setup.deps.dialer,
          new CallPacer(setup.deps.store.dialPacing, dialQueue, setup.dialMaxCps),
        )
      : setup.deps.dialer;
  const activities = createActivities({
    ...setup.deps,
    dialer: pacedDialer,
    settings: { ...setup.deps.settings, dialTaskQueue: dialQueue, dialLocally },
  });
  const { dial, ...bookkeeping } = activities;
  const { workflowsPath, preloadModules } = workflowBundling;
  const workflows = setup.workflowBundle
    ? { workflowBundle: setup.workflowBundle }
    : { workflowsPath, bundlerOptions: { preloadModules } };
  const [main, dialer] = await Promise.all([
    Worker.create({
      connection: setup.connection,
      namespace: setup.namespace,
      taskQueue: setup.taskQueue,
      ...workflows,
      // Dial too, for contacts that dial in a local activity.
      activities: dialLocally ? activities : bookkeeping,
      // A dial waiting for its time holds a local-activity slot and its contact's workflow task (the
      // SDK keeps a task, and its slot, while the task's local activities run): both pools are
      // that much larger than the rest of the work needs, which a worker full of them still runs.
      maxConcurrentLocalActivityExecutions: 200 + setup.deps.settings.waitingDials,
      maxConcurrentWorkflowTaskExecutions: 100 + setup.deps.settings.waitingDials,
      maxCachedWorkflows: 2000,
    }),
    Worker.create({
      connection: setup.connection,
      namespace: setup.namespace,
      taskQueue: dialQueue,
      activities: { dial },
      maxConcurrentActivityTaskExecutions: 200,
      ...(setup.dialMaxCps > 0 && { maxTaskQueueActivitiesPerSecond: setup.dialMaxCps }),
    }),
  ]);
  return [main, dialer];
}

/** Runs the workers until `shutdown` resolves, then drains them. */
export async function runWorkers(workers: Worker[], shutdown: Promise<unknown>): Promise<void> {
  const running = Promise.all(workers.map((w) => w.run()));
  await Promise.race([shutdown, running]);
  for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  await running;
}
