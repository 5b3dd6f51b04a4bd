import { campaignWorkflowId, contactWorkflowId } from '../../src/domain/ids';
import { syntheticNumbers } from '../../src/phones/synthetic-numbers';
import type { CampaignResult } from '../../workflows/campaign';
import { startEngine, type Engine } from '../support/engine';
import { contactIdIn, launchCampaign } from '../support/campaigns';
import { dialsIn } from '../support/dials';

const DAY_MS = 24 * 3600_000;

describe('schedules and outcome timeouts on the time-skipping server', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({ timeSkipping: true, outcomeTimeoutS: 600 });
  });
  afterAll(async () => {
    await engine.stop();
  });

  const finish = (campaignId: string) =>
    engine.client.workflow.getHandle(campaignWorkflowId(campaignId)).result() as Promise<CampaignResult>;

  /** When (server time) the contact workflow dialed, attempt by attempt. */
  async function dialTimes(campaignId: string, phone: string): Promise<number[]> {
    const handle = engine.client.workflow.getHandle(
      contactWorkflowId(campaignId, await contactIdIn(engine, campaignId, phone)),
    );
    return dialsIn(await handle.fetchHistory()).map((d) => d.atMs);
  }

  it('dials a contact scheduled two days ahead at that time and not before', async () => {
    const serverNow = await engine.env!.currentTimeMs();
    const scheduledAt = Math.max(serverNow, Date.now()) + 2 * DAY_MS;
    const [phone] = syntheticNumbers({ count: 1, seed: 21, lastDigit: () => 1 });
    const campaignId = await launchCampaign(engine, { isScheduledCall: true }, [
      { phone_number: phone!, scheduledCallDateTime: new Date(scheduledAt).toISOString() },
    ]);
    const result = await finish(campaignId);
    expect(result.counters.contacts.completed).toBe(1);
    const [dialedAt] = await dialTimes(campaignId, phone!);
    expect(dialedAt).toBeGreaterThanOrEqual(scheduledAt);
    expect(dialedAt! - scheduledAt).toBeLessThan(60_000);
  });

  it('records failed with reason timeout when no outcome arrives, and redials on it', async () => {
    const [phone] = syntheticNumbers({ count: 1, seed: 22, lastDigit: () => 1 });
    const campaignId = await launchCampaign(
      engine,
      { isContextBasedCall: true, redialConfig: { enabled: true, maxAttempts: 2, retryIntervals: [1800] } },
      [{ phone_number: phone!, custom_data: { simulate: { noCallback: true } } }],
    );
    const result = await finish(campaignId);
    expect(result.counters.contacts.failed).toBe(1);
    expect(result.counters.calls).toMatchObject({ placed: 2, failed: 2 });
    const calls = await engine.store.calls.find({ campaignId }).sort({ attempt: 1 }).toArray();
    expect(calls.map((c) => [c.attempt, c.outcome, c.reason])).toEqual([
      [1, 'failed', 'timeout'],
      [2, 'failed', 'timeout'],
    ]);
    const [first, second] = await dialTimes(campaignId, phone!);
    // The second attempt waited for the outcome timeout (600 s) and then the redial interval (1800 s).
    expect(second! - first!).toBeGreaterThanOrEqual((600 + 1800) * 1000);
  });
});
