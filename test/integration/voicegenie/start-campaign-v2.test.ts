/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- JSON bodies of HTTP replies */
import { startEngine, type Engine } from '../../support/engine';
import { START_V1_404, START_V1_422, START_V2_200, START_V2_400 } from './pages';
import {
  campaignSettings,
  createCampaign,
  expectShape,
  numbers,
  voicegenie,
  waitFor,
  type VoiceGenieClient,
} from './support';

/** Seed 000: GET /startCampaignv2/:campaignId (counts, estimated completion, configuration; 400 error object). */
describe('VoiceGenie GET /startCampaignv2/:campaignId (seed 000)', () => {
  let engine: Engine;
  let vg: VoiceGenieClient;

  beforeAll(async () => {
    engine = await startEngine();
    vg = voicegenie(engine);
  });
  afterAll(() => engine?.stop());

  /** The page's configuration: scheduled and context-based calls, redial 3 times after 1 h, 2 h, 4 h. */
  const pageSettings = (name: string) =>
    campaignSettings(name, {
      isScheduledCall: true,
      isContextBasedCall: true,
      redialConfig: { enabled: true, maxAttempts: 3, retryIntervals: [3600, 7200, 14400] },
    });

  it("answers the page's cURL example with the page's 200: scheduled and immediate calls counted", async () => {
    // Two contacts due in 2 s (due by the time the campaign starts: called at once), three in 2 h.
    const soon = new Date(Date.now() + 2000).toISOString();
    const later = new Date(Date.now() + 2 * 3600_000).toISOString();
    const phones = numbers([1, 2, 1, 2, 3], 21);
    const contacts = phones.map((phone_number, i) => ({
      phone_number,
      name: `Contact ${i}`,
      scheduledCallDateTime: i < 2 ? soon : later,
      custom_data: { rank: i },
    }));
    const id = await createCampaign(vg, pageSettings('Sales Outreach Q1'), contacts);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(soon) - Date.now() + 100));

    // curl -X GET "<api>/startCampaignv2/<id>" -H "x-api-key: <key>"
    const reply = await vg.get(`/startCampaignv2/${id}`);

    expect(reply.status).toBe(200);
    expectShape(reply.body, START_V2_200, {
      enums: [
        'success',
        'message',
        'data.status',
        'data.configuration.is_scheduled_call',
        'data.configuration.is_context_based_call',
        'data.configuration.redial_config.enabled',
        'data.configuration.redial_config.max_attempts',
        'data.configuration.redial_config.retry_intervals',
      ],
    });
    const data = reply.body.data;
    expect(data.campaign_id).toBe(id);
    expect(data.campaign_name).toBe('Sales Outreach Q1');
    expect(data.total_contacts).toBe(5);
    expect(data.scheduled_calls).toBe(3);
    expect(data.immediate_calls).toBe(2);
    // Nothing ends before the last scheduled call.
    expect(Date.parse(data.estimated_completion as string)).toBeGreaterThanOrEqual(Date.parse(later) - 1000);
    expect((await engine.store.getCampaign(id))?.status).toBe('running');
  });

  it("answers a second start with the page's 400: error.code, error.current_status, error.started_at", async () => {
    const later = new Date(Date.now() + 3600_000).toISOString();
    const contacts = numbers([1], 22).map((phone_number) => ({ phone_number, scheduledCallDateTime: later }));
    const id = await createCampaign(vg, pageSettings('Twice'), contacts);
    const first = await vg.get(`/startCampaignv2/${id}`);
    expect(first.status).toBe(200);

    const again = await vg.get(`/startCampaignv2/${id}`);

    expect(again.status).toBe(400);
    expectShape(again.body, START_V2_400, {
      enums: ['success', 'message', 'error.code', 'error.current_status'],
    });
    expect(again.body.error.started_at).toBe(first.body.data.started_at);
  });

  it('does not resume a paused campaign: 400 with current_status "paused"', async () => {
    const later = new Date(Date.now() + 3600_000).toISOString();
    const contacts = numbers([1], 23).map((phone_number) => ({ phone_number, scheduledCallDateTime: later }));
    const id = await createCampaign(vg, pageSettings('Paused'), contacts);
    expect((await vg.get(`/startCampaignv2/${id}`)).status).toBe(200);
    expect((await vg.get(`/pauseTheCampaign/${id}`)).status).toBe(200);

    const reply = await vg.get(`/startCampaignv2/${id}`);

    expect(reply.status).toBe(400);
    expectShape(reply.body, START_V2_400, { enums: ['success', 'message', 'error.code'] });
    expect(reply.body.error.current_status).toBe('paused');
    expect((await engine.store.getCampaign(id))?.status).toBe('paused');
  });

  it('answers an unknown campaign with 404 NOT_FOUND and a campaign missing configuration with 422', async () => {
    const unknown = await vg.get('/startCampaignv2/507f1f77bcf86cd799439013');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(START_V1_404);

    const bare = await createCampaign(vg, { campaignName: 'Bare' });
    const missing = await vg.get(`/startCampaignv2/${bare}`);
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual(START_V1_422);
  });

  it('calls the contacts once started (the immediate ones at once)', async () => {
    const contacts = numbers([1, 2], 24).map((phone_number) => ({ phone_number }));
    const id = await createCampaign(vg, campaignSettings('Calls'), contacts);

    const reply = await vg.get(`/startCampaignv2/${id}`);

    expect(reply.status).toBe(200);
    expect(reply.body.data).toMatchObject({ total_contacts: 2, scheduled_calls: 0, immediate_calls: 2 });
    const done = await waitFor('the campaign to complete', async () => {
      const campaign = await engine.store.getCampaign(id);
      return campaign?.status === 'completed' ? campaign : undefined;
    });
    expect(done.counts.contacts.completed).toBe(2);
  });
});
