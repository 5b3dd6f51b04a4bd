import { temporal } from '@temporalio/proto';
import { campaignWorkflowId } from '../../src/domain/ids';
import { STARTS_PER_TASK } from '../../src/domain/starts';
import { syntheticNumbers } from '../../src/phones/synthetic-numbers';
import type { CampaignResult } from '../../workflows/campaign';
import { expectCountersToMatchRecords, launchCampaign } from '../support/campaigns';
import { startEngine, type Engine } from '../support/engine';

const { EventType } = temporal.api.enums.v1;
const LINES = 120;

/** The child starts each of a history's workflow tasks asked for, in order. */
function startsPerTask(events: temporal.api.history.v1.IHistoryEvent[]): number[] {
  const perTask: number[] = [];
  for (const e of events) {
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) perTask.push(0);
    else if (e.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED) {
      perTask[perTask.length - 1] = (perTask.at(-1) ?? 0) + 1;
    }
  }
  return perTask;
}

/**
 * A campaign with more free lines than it starts contacts in one task: it fills them in steps,
 * each start's answer waking it for the next, rather than all in its first task.
 */
describe('contacts started in steps', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({ simCallMs: 4000 });
  });
  afterAll(async () => {
    await engine.stop();
  });

  it(`asks for at most ${STARTS_PER_TASK} starts a task and still fills every line`, async () => {
    const phones = syntheticNumbers({ count: LINES, seed: 91, lastDigit: () => 1 });
    const campaignId = await launchCampaign(
      engine,
      { maxConcurrentCalls: LINES },
      phones.map((phone_number) => ({ phone_number })),
    );
    const handle = engine.client.workflow.getHandle(campaignWorkflowId(campaignId));
    const { counters, status } = (await handle.result()) as CampaignResult;
    expect(status).toBe('completed');
    expect(counters.contacts.completed).toBe(LINES);
    await expectCountersToMatchRecords(engine, campaignId, counters, LINES);

    const perTask = startsPerTask((await handle.fetchHistory()).events ?? []);
    expect(perTask.reduce((sum, n) => sum + n, 0)).toBe(LINES);
    expect(Math.max(...perTask)).toBeLessThanOrEqual(STARTS_PER_TASK);
    // The steps came one after another while the first calls were still going (4 s each).
    expect(engine.carrier.ledger.campaignStats(campaignId).peakConcurrent).toBeGreaterThan(
      2 * STARTS_PER_TASK,
    );
  }, 120_000);
});
