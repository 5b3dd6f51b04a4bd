/* eslint-disable @typescript-eslint/no-unsafe-member-access -- JSON bodies of HTTP replies */
import { ObjectId } from 'mongodb';
import { startEngine, type Engine } from '../../support/engine';
import { START_V1_200, START_V1_400, START_V1_404, START_V1_422 } from './pages';
import {
  campaignSettings,
  createCampaign,
  expectShape,
  numbers,
  voicegenie,
  waitFor,
  type VoiceGenieClient,
} from './support';

/** Seed 001: GET /startCampaign/:campaignId (x-api-key; 200 running; 400; 404; 422 with details.missing). */
describe('VoiceGenie GET /startCampaign/:campaignId (seed 001)', () => {
  let engine: Engine;
  let vg: VoiceGenieClient;

  beforeAll(async () => {
    engine = await startEngine();
    vg = voicegenie(engine);
  });
  afterAll(() => engine?.stop());

  /** Contacts scheduled an hour ahead: the campaign stays running while the test looks at it. */
  const later = () => new Date(Date.now() + 3600_000).toISOString();
  const scheduledContacts = (seed: number) =>
    numbers([1, 2], seed).map((phone_number) => ({ phone_number, scheduledCallDateTime: later() }));

  it("answers the page's cURL example with the page's 200 and starts the campaign", async () => {
    const id = await createCampaign(
      vg,
      campaignSettings('Start v1', { isScheduledCall: true }),
      scheduledContacts(11),
    );
    const before = Date.now();

    // curl --request GET --url '<api>/startCampaign/<id>' --header 'x-api-key: <key>'
    const reply = await vg.get(`/startCampaign/${id}`);

    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expectShape(reply.body, START_V1_200, { enums: ['success', 'data.status', 'message'] });
    expect(reply.body.data.campaign_id).toBe(id);
    const startedAt = Date.parse(reply.body.data.started_at as string);
    expect(startedAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(startedAt).toBeLessThanOrEqual(Date.now());
    const record = await engine.store.getCampaign(id);
    expect(record?.status).toBe('running');
  });

  it('answers a second start with the 400 CAMPAIGN_ALREADY_RUNNING of the page, exactly', async () => {
    const id = await createCampaign(
      vg,
      campaignSettings('Start twice', { isScheduledCall: true }),
      scheduledContacts(12),
    );
    expect((await vg.get(`/startCampaign/${id}`)).status).toBe(200);

    const again = await vg.get(`/startCampaign/${id}`);

    expect(again.status).toBe(400);
    expect(again.body).toEqual(START_V1_400);
    expect(again.text).toBe(JSON.stringify(START_V1_400));
  });

  it("answers an unknown campaign (the page's own example id, and an ObjectId) with the 404 of the page", async () => {
    for (const id of ['550e8400-e29b-41d4-a716-446655440000', new ObjectId().toHexString()]) {
      const reply = await vg.get(`/startCampaign/${id}`);
      expect(reply.status).toBe(404);
      expect(reply.text).toBe(JSON.stringify(START_V1_404));
    }
  });

  it('answers a campaign without script and contacts with the 422 of the page, details.missing included', async () => {
    const bare = await createCampaign(vg, { campaignName: 'No script, no contacts' });

    const reply = await vg.get(`/startCampaign/${bare}`);

    expect(reply.status).toBe(422);
    expect(reply.text).toBe(JSON.stringify(START_V1_422));
    expect((await engine.store.getCampaign(bare))?.status).toBe('draft');

    const noContacts = await createCampaign(vg, campaignSettings('Script, no contacts'));
    const second = await vg.get(`/startCampaign/${noContacts}`);
    expect(second.status).toBe(422);
    expect(second.body).toEqual({ ...START_V1_422, details: { missing: ['contacts'] } });
  });

  it('resumes a paused campaign (the page: "Start a paused or scheduled campaign")', async () => {
    const id = await createCampaign(
      vg,
      campaignSettings('Resume', { isScheduledCall: true }),
      scheduledContacts(13),
    );
    const started = await vg.get(`/startCampaign/${id}`);
    expect(started.status).toBe(200);
    expect((await vg.get(`/pauseTheCampaign/${id}`)).status).toBe(200);
    expect((await engine.store.getCampaign(id))?.status).toBe('paused');

    const resumed = await vg.get(`/startCampaign/${id}`);

    expect(resumed.status).toBe(200);
    expectShape(resumed.body, START_V1_200, { enums: ['success', 'data.status', 'message'] });
    expect(resumed.body.data.started_at).toBe(started.body.data.started_at);
    expect((await engine.store.getCampaign(id))?.status).toBe('running');
  });

  it('takes the campaign by its 24-hex id, its numeric id or its code', async () => {
    const byCode = await createCampaign(
      vg,
      campaignSettings('By code', { isScheduledCall: true }),
      scheduledContacts(14),
    );
    const byNumber = await createCampaign(
      vg,
      campaignSettings('By number', { isScheduledCall: true }),
      scheduledContacts(15),
    );
    const code = (await engine.store.getCampaign(byCode))!.code;
    const numericId = (await engine.store.getCampaign(byNumber))!.numericId;
    expect(code).toMatch(/^CAMP-\d{4}-\d{3}$/);

    const a = await vg.get(`/startCampaign/${code}`);
    const b = await vg.get(`/startCampaign/${numericId}`);

    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.data.campaign_id).toBe(byCode);
    expect(b.body.data.campaign_id).toBe(byNumber);
  });

  it('of 50 simultaneous starts of one campaign, exactly one wins; 49 get CAMPAIGN_ALREADY_RUNNING', async () => {
    const id = await createCampaign(
      vg,
      campaignSettings('Race', { isScheduledCall: true }),
      scheduledContacts(16),
    );

    const replies = await Promise.all(Array.from({ length: 50 }, () => vg.get(`/startCampaign/${id}`)));

    const ok = replies.filter((r) => r.status === 200);
    const refused = replies.filter((r) => r.status === 400);
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(49);
    for (const r of refused) expect(r.body).toEqual(START_V1_400);
    const record = await engine.store.getCampaign(id);
    expect(record?.status).toBe('running');
    expect(record?.instanceId).toMatch(/^cid-/);
    // One campaign workflow run, not one per request.
    const runs = await waitFor('the campaign workflow to be listed', async () => {
      const found = [];
      for await (const run of engine.client.workflow.list({ query: `WorkflowId = 'campaign-${id}'` })) {
        found.push(run.runId);
      }
      return found.length > 0 ? found : undefined;
    });
    expect(runs).toHaveLength(1);
  });
});
