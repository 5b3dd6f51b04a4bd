import { campaignWorkflowId } from '../../src/domain/ids';
import type { CampaignResult } from '../../workflows/campaign';
import { ALWAYS_OPEN } from '../support/campaigns';
import { startEngine, type Engine } from '../support/engine';
import { numbers } from './voicegenie/support';

describe('contact batches as stored', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({ simCallMs: 20 });
  });
  afterAll(async () => {
    await engine?.stop();
  });

  const upload = async (name: string, phones: string[]) => {
    const campaign = await engine.service.createCampaign(engine.accountId, {
      name,
      agentId: 'agent-1',
      callingHours: ALWAYS_OPEN,
    });
    const contacts = phones.map((phone_number, i) => ({ phone_number, name: `Contact ${i}` }));
    const uploaded = await engine.service.uploadContacts(engine.accountId, campaign._id, contacts);
    return { campaignId: campaign._id, uploadId: uploaded.campaign.batches[0] as string };
  };

  it('keeps the refs as one JSON text and reads them back in upload order', async () => {
    const phones = numbers([1, 2, 3, 0, 1], 8101);
    const { campaignId, uploadId } = await upload('batch as text', phones);

    const stored = await engine.store.batches.findOne({ campaignId });
    expect(typeof stored?.refsJson).toBe('string');
    expect(stored?.refs).toBeUndefined();
    const batch = await engine.store.getBatch(campaignId, uploadId);
    expect(batch?.refs.map((r) => [r.phone, r.name, r.attempts])).toEqual(
      phones.map((phone, i) => [phone, `Contact ${i}`, 0]),
    );
  });

  it('runs a campaign whose batch an earlier release wrote with the refs as an array', async () => {
    const phones = numbers([0, 1, 2, 3, 0, 1, 2, 3], 8102);
    const { campaignId, uploadId } = await upload('batch as array', phones);
    const { refs } = (await engine.store.getBatch(campaignId, uploadId))!;
    await engine.store.batches.updateOne({ campaignId }, { $set: { refs }, $unset: { refsJson: '' } });

    await engine.service.startCampaign(engine.accountId, campaignId);
    const result = (await engine.client.workflow
      .getHandle(campaignWorkflowId(campaignId))
      .result()) as CampaignResult;

    expect(result.status).toBe('completed');
    expect(result.counters.contacts.completed).toBe(phones.length);
    const called = engine.carrier.ledger.calls({ campaignId });
    expect(called.map((e) => e.to).sort()).toEqual([...phones].sort());
  });
});
