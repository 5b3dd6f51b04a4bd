/* eslint-disable @typescript-eslint/no-unsafe-member-access -- JSON bodies of HTTP replies */
import { startEngine, type Engine } from '../../support/engine';
import { PAYLOAD_TOO_LARGE_413, START_V1_404, UNAUTHORIZED_401, UPLOAD_AND_RUN_REQUEST } from './pages';
import {
  campaignSettings,
  createCampaign,
  expectShape,
  numbers,
  voicegenie,
  type CallOptions,
  type VoiceGenieClient,
} from './support';

/** `x-api-key` on every route, accounts kept apart, and bodies that are too large or not JSON. */
describe('VoiceGenie auth and request bodies', () => {
  let engine: Engine;
  let vg: VoiceGenieClient;
  /** A draft with contacts, owned by the engine's account. */
  let campaign: string;

  beforeAll(async () => {
    engine = await startEngine();
    vg = voicegenie(engine);
    campaign = await createCampaign(
      vg,
      campaignSettings('Owned'),
      numbers([1, 2], 71).map((p) => ({ phone_number: p })),
    );
  });
  afterAll(() => engine?.stop());

  /** Every route of the dialect, called on `campaign` as a client would. */
  const routes = (id: string): [string, (opts: CallOptions) => ReturnType<VoiceGenieClient['get']>][] => [
    ['GET /startCampaign', (o) => vg.get(`/startCampaign/${id}`, o)],
    ['GET /startCampaignv2', (o) => vg.get(`/startCampaignv2/${id}`, o)],
    ['GET /pauseTheCampaign', (o) => vg.get(`/pauseTheCampaign/${id}`, o)],
    ['GET /deleteCampaign', (o) => vg.get(`/deleteCampaign/${id}`, o)],
    ['GET /getCampaignStats', (o) => vg.get(`/getCampaignStats/${id}`, o)],
    ['GET /downloadCampaignStats', (o) => vg.get(`/downloadCampaignStats?campaign_id=${id}&format=csv`, o)],
    ['POST /getHistory', (o) => vg.post('/getHistory', { campaign_id: id }, o)],
    [
      'POST /uploadCampaignData',
      (o) =>
        vg.post(
          '/uploadCampaignData',
          { campaign_id: id, contacts: [{ phone_number: numbers([3], 72)[0] }] },
          o,
        ),
    ],
    [
      'POST /redialCampaignCalls',
      (o) => vg.post('/redialCampaignCalls', { campaign_id: id, call_uuids: ['c1'] }, o),
    ],
  ];
  const accountRoutes: [string, (opts: CallOptions) => ReturnType<VoiceGenieClient['get']>][] = [
    ['GET /getCampaignStatuses', (o) => vg.get('/getCampaignStatuses', o)],
    ['POST /createCampaign', (o) => vg.post('/createCampaign', { campaignName: 'Nope' }, o)],
    [
      'POST /uploadCampaignDataAndRun',
      (o) => vg.post('/uploadCampaignDataAndRun', UPLOAD_AND_RUN_REQUEST, o),
    ],
  ];

  /** The campaign as the record has it, minus what changes by itself. */
  const snapshot = async () => {
    const c = await engine.store.getCampaign(campaign);
    return { status: c?.status, counts: c?.counts, batches: c?.batches, deletedAt: c?.deletedAt };
  };

  it('answers a missing key and a wrong key with 401 UNAUTHORIZED on every route, changing nothing', async () => {
    const before = await snapshot();
    const campaignsBefore = await engine.store.campaigns.countDocuments({});

    for (const [name, call] of [...routes(campaign), ...accountRoutes]) {
      for (const key of [null, 'ce_not-a-real-key-0123456789']) {
        const reply = await call({ key });
        expect({ name, key, status: reply.status }).toEqual({ name, key, status: 401 });
        expectShape(reply.body, UNAUTHORIZED_401, { enums: ['success', 'error'] });
        expect(reply.body.message).toMatch(
          key === null
            ? /^Invalid or missing API key: no x-api-key/
            : /^Invalid or missing API key: .* not valid/,
        );
      }
    }

    expect(await snapshot()).toEqual(before);
    expect(await engine.store.campaigns.countDocuments({})).toBe(campaignsBefore);
  });

  it("answers another account's key with 404 NOT_FOUND (never 403), changing nothing", async () => {
    const other = await engine.newAccount('other');
    const before = await snapshot();

    for (const [name, call] of routes(campaign)) {
      const reply = await call({ key: other.apiKey });
      expect({ name, status: reply.status }).toEqual({ name, status: 404 });
      expect(reply.body).toEqual(START_V1_404);
    }

    expect(await snapshot()).toEqual(before);
    const theirs = await vg.get('/getCampaignStatuses', { key: other.apiKey });
    expect(theirs.body.data.campaigns).toEqual([]);
    // And the owner still can.
    expect((await vg.get(`/getCampaignStats/${campaign}`)).status).toBe(200);
  });

  it('answers a body over BODY_LIMIT with 413 PAYLOAD_TOO_LARGE', async () => {
    const padding = 'x'.repeat(2.5 * 1024 * 1024);
    const body = { ...UPLOAD_AND_RUN_REQUEST, campaignName: padding };

    const reply = await vg.post('/uploadCampaignDataAndRun', body);

    expect(reply.status).toBe(413);
    expectShape(reply.body, PAYLOAD_TOO_LARGE_413, { enums: ['success', 'error'] });
    expect(reply.body.message).toMatch(/limit/);
  });

  it('answers a CSV file over BODY_LIMIT with 413 PAYLOAD_TOO_LARGE', async () => {
    const form = new FormData();
    form.append('campaign_id', campaign);
    form.append('file', new Blob([`phone_number\n${'1'.repeat(2.5 * 1024 * 1024)}\n`]), 'big.csv');

    const reply = await vg.postForm('/uploadCampaignData', form);

    expect(reply.status).toBe(413);
    expect(reply.body).toMatchObject({ success: false, error: 'PAYLOAD_TOO_LARGE' });
  });

  it('answers malformed JSON with 400 INVALID_JSON, and a body that is not a JSON object with 400 naming it', async () => {
    for (const path of [
      '/uploadCampaignDataAndRun',
      '/createCampaign',
      '/getHistory',
      '/redialCampaignCalls',
    ]) {
      const reply = await vg.post(path, '{"campaignName": "Q1", "contacts": [');
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({
        success: false,
        message: expect.stringMatching(/JSON/) as string,
        error: 'INVALID_JSON',
      });
    }

    const array = await vg.post('/createCampaign', '[1, 2]');
    expect(array.status).toBe(400);
    expect(array.body).toMatchObject({ error: 'BAD_REQUEST', details: { field: '(body)' } });

    const text = await vg.post('/createCampaign', 'campaignName=Q1', {
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(400);
    expect(text.body).toMatchObject({ error: 'BAD_REQUEST', details: { field: '(body)' } });
  });

  it('leaves paths of other dialects alone (no 401 for a path that is not VoiceGenie)', async () => {
    const reply = await vg.get('/no-such-voicegenie-route', { key: null });
    expect(reply.status).toBe(404);
  });
});
