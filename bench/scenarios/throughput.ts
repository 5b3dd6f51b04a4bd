import { randomUUID } from 'node:crypto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { finishedContacts } from '../../src/domain/counters';
import { campaignWorkflowId } from '../../src/domain/ids';
import { HISTORY_EVENTS_LIMIT } from '../../src/domain/history';
import type { CampaignResult } from '../../workflows/campaign';
import { statusQuery } from '../../workflows/messages';
import { benchContacts, round, type VoiceGenieClient } from '../client';
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

export interface Baseline {
  children: number;
  wallS: number;
  childrenPerS: number;
}

/**
 * The bare-Temporal baseline on the same server: `bench/baseline/workflows.ts` on a worker of its
 * own, with the engine's worker settings.
 */
export async function runBaseline(stack: Stack, children: number, window: number): Promise<Baseline> {
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
    await stack.ctx.temporal.workflow.execute('baselineParent', {
      taskQueue,
      workflowId: `baseline-${randomUUID()}`,
      args: [{ total: children, window, historyLimit: HISTORY_EVENTS_LIMIT }],
    });
    const wallS = (performance.now() - started) / 1000;
    return { children, wallS: round(wallS), childrenPerS: round(children / wallS) };
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
