/* eslint-disable @typescript-eslint/no-unsafe-member-access -- JSON bodies of VoiceGenie replies */
import { campaignSchema, contactPageSchema, uploadResultSchema } from '../../src/api/v1/schemas';
import { ALWAYS_OPEN } from '../support/campaigns';
import { startEngine, type Engine } from '../support/engine';
import { V1Client } from './v1/client';
import { campaignSettings, createCampaign, voicegenie } from './voicegenie/support';

/** One Indian mobile written three ways: international with spaces, national with the trunk 0, E.164. */
const WRITTEN = ['+91 98765 43210', '09876543210', '+919876543210'];
const E164 = '+919876543210';

describe('one number once per campaign, however it is written', () => {
  let engine: Engine;
  beforeAll(async () => {
    // The national form needs a default region to be read as Indian.
    engine = await startEngine({ env: { DEFAULT_PHONE_REGION: 'IN' } });
  });
  afterAll(async () => {
    await engine?.stop();
  });

  it('through /v1: one contact uploaded, the other forms counted as duplicates, in one upload and the next', async () => {
    const api = new V1Client(engine.apiUrl, engine.apiKey);
    const body = { name: 'dedup v1', agentId: 'agent-1', callingHours: ALWAYS_OPEN };
    const { id } = await api.ok(campaignSchema, 'POST', '/v1/campaigns', { body }, 201);

    const first = await api.ok(uploadResultSchema, 'POST', `/v1/campaigns/${id}/contacts`, {
      body: WRITTEN.map((phone_number) => ({ phone_number })),
    });
    expect(first).toMatchObject({ uploaded: 1, duplicates: 2, skipped_dnc: 0, rejected: [] });
    const again = await api.ok(uploadResultSchema, 'POST', `/v1/campaigns/${id}/contacts`, {
      body: [{ phone_number: '98765-43210' }, { phone_number: '+91 (98765) 43210' }],
    });
    expect(again).toMatchObject({ uploaded: 0, duplicates: 2, rejected: [] });

    const stored = await api.ok(contactPageSchema, 'GET', `/v1/campaigns/${id}/contacts?limit=100`);
    expect(stored.data.map((c) => [c.phone_number, c.raw_phone_number])).toEqual([[E164, WRITTEN[0]]]);
    expect(await engine.store.contacts.countDocuments({ campaignId: id })).toBe(1);
  });

  it('through VoiceGenie /uploadCampaignData: uploaded_count 1, duplicate_count 2', async () => {
    const vg = voicegenie(engine);
    const id = await createCampaign(vg, campaignSettings('dedup voicegenie'));

    const reply = await vg.post('/uploadCampaignData', {
      campaign_id: id,
      contacts: WRITTEN.map((phone_number, i) => ({ phone_number, name: `written ${i}` })),
    });
    expect(reply.status).toBe(200);
    expect(reply.body.data).toMatchObject({ uploaded_count: 1, failed_count: 0, duplicate_count: 2 });

    const stored = await engine.store.contacts.find({ campaignId: id }).toArray();
    expect(stored.map((c) => [c.phone, c.name])).toEqual([[E164, 'written 0']]);
    expect((await engine.store.getCampaign(id))?.counts.total).toBe(1);
  });
});
