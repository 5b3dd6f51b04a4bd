import { temporal } from '@temporalio/proto';
import { campaignWorkflowId, contactWorkflowId, dialTaskQueue } from '../../src/domain/ids';
import { syntheticNumbers } from '../../src/phones/synthetic-numbers';
import type { CampaignResult } from '../../workflows/campaign';
import { launchCampaign } from '../support/campaigns';
import { dialsIn } from '../support/dials';
import { startEngine, type Engine } from '../support/engine';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

const CPS = 4;

describe('the calls-per-second cap with two workers', () => {
  let engine: Engine;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    engine = await startEngine({ inProcessWorkers: false, dialMaxCps: CPS });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await engine.stop();
  });

  it(`holds at ${CPS} call requests in any one second across both`, async () => {
    workers.push(startWorkerProcess(engine.workerEnv), startWorkerProcess(engine.workerEnv));
    // Both must be polling the dial queue, or the test would show one worker's limit only.
    const dialQueue = dialTaskQueue(engine.taskQueue);
    for (;;) {
      const { pollers } = await engine.client.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: dialQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      });
      if (new Set(pollers.map((p) => p.identity)).size >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    const contacts = 40;
    const phones = syntheticNumbers({ count: contacts, seed: 77, lastDigit: (i) => i % 4 });
    const campaignId = await launchCampaign(
      engine,
      { maxConcurrentCalls: 40 },
      phones.map((phone_number) => ({ phone_number })),
    );
    const result = (await engine.client.workflow
      .getHandle(campaignWorkflowId(campaignId))
      .result()) as CampaignResult;
    expect(result.counters.calls.placed).toBe(contacts);

    const stats = engine.carrier.ledger.campaignStats(campaignId);
    expect(stats.callsPlaced).toBe(contacts);
    expect(stats.maxCallsPerSecond).toBeLessThanOrEqual(CPS);
    // The calls were paced, not merely few: 40 calls at 4 a second take about ten seconds.
    const times = engine.carrier.ledger.calls({ campaignId }).map((c) => Date.parse(c.requestedAt));
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(
      ((contacts - CPS) / CPS) * 1000 * 0.8,
    );
    // Capped, the dials ran as activities on the dial queue, where the server enforces the cap.
    const [contact] = await engine.store.contacts.find({ campaignId }).limit(1).toArray();
    const history = await engine.client.workflow
      .getHandle(contactWorkflowId(campaignId, contact!._id))
      .fetchHistory();
    expect(dialsIn(history).map((d) => d.local)).toEqual([false]);
    const scheduled = history.events?.find((e) => e.activityTaskScheduledEventAttributes);
    expect(scheduled?.activityTaskScheduledEventAttributes?.taskQueue?.name).toBe(dialQueue);

    console.log(
      `dial rate: ${contacts} calls, at most ${stats.maxCallsPerSecond} in any one second (cap ${CPS})`,
    );
  });
});
