import { campaignWorkflowId } from '../../src/domain/ids';
import { syntheticNumbers } from '../../src/phones/synthetic-numbers';
import type { CampaignResult } from '../../workflows/campaign';
import { launchCampaign } from '../support/campaigns';
import { startEngine, type Engine } from '../support/engine';
import { waitFor } from '../support/wait';

describe('pause, resume and cancel on the real Temporal server', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({ simCallMs: 400 });
  });
  afterAll(async () => {
    await engine.stop();
  });

  const result = (campaignId: string) =>
    engine.client.workflow.getHandle(campaignWorkflowId(campaignId)).result() as Promise<CampaignResult>;

  it('pause stops new dials within a second and lets live calls finish; resume completes the campaign', async () => {
    const phones = syntheticNumbers({ count: 24, seed: 31, lastDigit: (i) => i % 4 });
    const campaignId = await launchCampaign(
      engine,
      { maxConcurrentCalls: 2 },
      phones.map((phone_number) => ({ phone_number })),
    );
    await waitFor('four calls', () =>
      engine.carrier.ledger.calls({ campaignId }).length >= 4 ? true : undefined,
    );

    const { snapshot } = await engine.service.pauseCampaign(engine.accountId, campaignId);
    const pausedAt = Date.now();
    expect(snapshot.status).toBe('paused');
    expect(snapshot.liveCalls).toBeLessThanOrEqual(2);

    // Calls in progress end; nothing new starts.
    const settled = await waitFor('live calls to end', async () => {
      const status = await engine.service.getStatus(engine.accountId, campaignId);
      return status.liveCalls === 0 ? status : undefined;
    });
    expect(settled.campaign.status).toBe('paused');
    await new Promise((r) => setTimeout(r, 1500));
    const late = engine.carrier.ledger
      .calls({ campaignId })
      .filter((call) => Date.parse(call.requestedAt) > pausedAt + 1000);
    expect(late).toEqual([]);
    const placedWhilePaused = engine.carrier.ledger.calls({ campaignId }).length;
    expect(placedWhilePaused).toBeLessThan(24);

    await engine.service.resumeCampaign(engine.accountId, campaignId);
    const done = await result(campaignId);
    expect(done.status).toBe('completed');
    expect(done.counters.contacts.completed).toBe(24);
    expect(engine.carrier.ledger.calls({ campaignId })).toHaveLength(24);
    expect(engine.carrier.ledger.stats().peakConcurrentByCampaign[campaignId]).toBeLessThanOrEqual(2);
  });

  it('cancel ends every contact workflow, the ones sleeping until next week too, and marks them cancelled', async () => {
    const nextWeek = Date.now() + 7 * 24 * 3600_000;
    const phones = syntheticNumbers({ count: 20, seed: 32, lastDigit: () => 1 });
    const campaignId = await launchCampaign(
      engine,
      { isScheduledCall: true },
      phones.map((phone_number) => ({
        phone_number,
        scheduledCallDateTime: new Date(nextWeek).toISOString(),
      })),
    );
    await waitFor('every contact asleep', async () => {
      const status = await engine.service.getStatus(engine.accountId, campaignId);
      return status.counters.contacts.scheduled === 20 ? true : undefined;
    });

    await engine.service.cancelCampaign(engine.accountId, campaignId);
    const done = await result(campaignId);
    expect(done.status).toBe('cancelled');
    expect(done.counters.contacts.cancelled).toBe(20);
    const contacts = await engine.store.contacts.find({ campaignId }).toArray();
    expect(contacts.map((c) => c.status)).toEqual(Array(20).fill('cancelled'));
    // A contact closes just after its last report reaches the campaign, and visibility follows the
    // close a moment later: wait for it rather than read it once.
    await waitFor('every contact workflow closed', async () => {
      const running = await engine.client.workflow.count(
        `CampaignId = "${campaignId}" AND WorkflowType = "contactWorkflow" AND ExecutionStatus = "Running"`,
      );
      return running.count === 0 ? true : undefined;
    });
    expect(engine.carrier.ledger.calls({ campaignId })).toEqual([]);
    expect((await engine.store.getCampaign(campaignId))?.status).toBe('cancelled');
  });
});
