import { campaignTaskQueue, campaignWorkflowId, contactWorkflowId } from '../../src/domain/ids';
import { syntheticNumbers } from '../../src/phones/synthetic-numbers';
import { campaignWorkflow, type CampaignResult } from '../../workflows/campaign';
import { ALWAYS_OPEN, expectCountersToMatchRecords, launchCampaign } from '../support/campaigns';
import { startEngine, type Engine } from '../support/engine';

const CONTACTS = 30;
const LINES = 10;

/**
 * Campaign workflows run on a task queue and worker of their own, their contacts on the main
 * queue; a campaign whose run began on the main queue (before campaigns had their own) finishes
 * there, contacts and all.
 */
describe('the campaign task queue', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine();
  });
  afterAll(async () => {
    await engine.stop();
  });

  const phones = (seed: number) =>
    syntheticNumbers({ count: CONTACTS, seed, lastDigit: () => 1 }).map((phone_number) => ({ phone_number }));

  const contactQueues = async (campaignId: string) => {
    const contacts = await engine.store.contacts.find({ campaignId }).toArray();
    const described = await Promise.all(
      contacts.map((c) => engine.client.workflow.getHandle(contactWorkflowId(campaignId, c._id)).describe()),
    );
    return new Set(described.map((d) => d.taskQueue));
  };

  it('runs a started campaign on its own queue and its contacts on the main one', async () => {
    const campaignId = await launchCampaign(engine, { maxConcurrentCalls: LINES }, phones(401));
    const handle = engine.client.workflow.getHandle(campaignWorkflowId(campaignId));
    const { status, counters } = (await handle.result()) as CampaignResult;
    expect(status).toBe('completed');
    await expectCountersToMatchRecords(engine, campaignId, counters, LINES);
    expect((await handle.describe()).taskQueue).toBe(campaignTaskQueue(engine.taskQueue));
    expect(await contactQueues(campaignId)).toEqual(new Set([engine.taskQueue]));
  }, 120_000);

  it('finishes a campaign whose run began on the main queue', async () => {
    const campaign = await engine.service.createCampaign(engine.accountId, {
      name: 'begun on the main queue',
      agentId: 'agent-1',
      callingHours: ALWAYS_OPEN,
      maxConcurrentCalls: LINES,
    });
    await engine.service.uploadContacts(engine.accountId, campaign._id, phones(402));
    // What a start did before campaigns had a queue of their own.
    await engine.store.transition(campaign._id, ['draft'], {
      status: 'running',
      startedAt: new Date(),
      instanceId: `cid-${campaign._id}`,
    });
    const handle = await engine.client.workflow.start(campaignWorkflow, {
      taskQueue: engine.taskQueue,
      workflowId: campaignWorkflowId(campaign._id),
      args: [{ campaignId: campaign._id }],
    });
    const { status, counters } = await handle.result();
    expect(status).toBe('completed');
    await expectCountersToMatchRecords(engine, campaign._id, counters, LINES);
    expect((await handle.describe()).taskQueue).toBe(engine.taskQueue);
    expect(await contactQueues(campaign._id)).toEqual(new Set([engine.taskQueue]));
  }, 120_000);
});
