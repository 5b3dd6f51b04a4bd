/* eslint-disable @typescript-eslint/no-unsafe-member-access -- JSON bodies of HTTP replies */
import { startEngine, type Engine } from '../../support/engine';
import { storedContacts } from '../../support/campaigns';
import { PAUSE_200, PAUSE_400, UPLOAD_AND_RUN_200, UPLOAD_DATA_200, UPLOAD_DATA_400 } from './pages';
import {
  campaignSettings,
  createCampaign,
  expectShape,
  numbers,
  voicegenie,
  type VoiceGenieClient,
} from './support';

/**
 * The routes the seed pages name: Create Campaign, Upload Campaign Data (JSON and a CSV file),
 * Pause Campaign and Delete Campaign.
 */
describe('VoiceGenie create, upload, pause and delete', () => {
  let engine: Engine;
  let vg: VoiceGenieClient;

  beforeAll(async () => {
    engine = await startEngine();
    vg = voicegenie(engine);
  });
  afterAll(() => engine?.stop());

  const later = () => new Date(Date.now() + 3600_000).toISOString();

  /** A running campaign whose one contact is due in an hour: it stays running while the test looks. */
  async function runningCampaign(name: string, seed: number): Promise<string> {
    const contacts = numbers([1], seed).map((phone_number) => ({
      phone_number,
      scheduledCallDateTime: later(),
    }));
    const id = await createCampaign(vg, campaignSettings(name, { isScheduledCall: true }), contacts);
    expect((await vg.get(`/startCampaign/${id}`)).status).toBe(200);
    return id;
  }

  describe('POST /createCampaign', () => {
    it('creates a draft and answers the campaign as Upload Campaign Data and Run shows it', async () => {
      const reply = await vg.post('/createCampaign', {
        campaignName: 'Created',
        agentId: 'agent-9',
        isContextBasedCall: true,
        redialConfig: { enabled: true, maxAttempts: 2, retryIntervals: [600] },
      });

      expect(reply.status).toBe(200);
      expect(reply.body.success).toBe(true);
      expect(reply.body.message).toBe('Campaign created successfully');
      // A draft has not started: campaignStartTime is null until it does.
      expectShape(reply.body.data.campaign, UPLOAD_AND_RUN_200.data.campaign, {
        nullable: ['campaignStartTime'],
      });
      expect(reply.body.data.campaign).toMatchObject({
        campaignName: 'Created',
        status: 'draft',
        agentId: 'agent-9',
        totalContacts: 0,
        isScheduledCall: false,
        isContextBasedCall: true,
        campaignStartTime: null,
      });
      expect(reply.body.data.redial_config).toEqual({ enabled: true, maxAttempts: 2, retryIntervals: [600] });
      const record = await engine.store.getCampaign(reply.body.data.campaign._id as string);
      expect(record?.status).toBe('draft');
    });

    it("names every field it refuses, in the caller's words", async () => {
      const reply = await vg.post('/createCampaign', {
        campaign_name: '',
        redialConfig: { enabled: 'yes', retryIntervals: [0] },
        maxConcurrentCalls: 5000,
        callingHours: { days: [{ day: 'funday', start: '09:00', end: '17:00' }] },
      });

      expect(reply.status).toBe(400);
      expect(reply.body.error).toBe('BAD_REQUEST');
      const paths = (reply.body.details.issues as { path: string }[]).map((i) => i.path).sort();
      expect(paths).toEqual(
        [
          'callingHours.days.0.day',
          'campaign_name',
          'maxConcurrentCalls',
          'redialConfig.enabled',
          'redialConfig.retryIntervals.0',
        ].sort(),
      );
      expect(reply.body.details.field).toBe(reply.body.details.issues[0].path);
    });

    it('replays an Idempotency-Key retry without creating a second campaign; 422 for another body', async () => {
      const { accountId, apiKey } = await engine.newAccount('create idempotency');
      const headers = { 'Idempotency-Key': 'create-1' };
      const a = await vg.post('/createCampaign', { campaignName: 'Once' }, { key: apiKey, headers });
      const b = await vg.post('/createCampaign', { campaignName: 'Once' }, { key: apiKey, headers });
      const c = await vg.post('/createCampaign', { campaignName: 'Twice' }, { key: apiKey, headers });

      expect([a.status, b.status, c.status]).toEqual([200, 200, 422]);
      expect(b.body).toEqual(a.body);
      expect(c.body.error).toBe('KEY_REUSED');
      expect(await engine.store.campaigns.countDocuments({ accountId })).toBe(1);
    });
  });

  describe('POST /uploadCampaignData', () => {
    it('adds contacts to a campaign: uploaded, failed with reasons, duplicates skipped and counted', async () => {
      const id = await createCampaign(vg, campaignSettings('Upload JSON'));
      const [a, b, c] = numbers([1, 2, 3], 41);

      const reply = await vg.post('/uploadCampaignData', {
        campaign_id: id,
        contacts: [
          { phone_number: a, name: 'A', custom_fields: { plan: 'Premium' } },
          { phone_number: b, name: 'B' },
          { phone_number: 'not a number', name: 'X' },
          { phone_number: c, name: 'C' },
          { phone_number: a, name: 'A again' },
        ],
      });

      expect(reply.status).toBe(200);
      expectShape(reply.body, UPLOAD_DATA_200, {
        enums: ['success'],
        extra: { data: ['duplicate_count', 'dnc_count'] },
      });
      expect(reply.body.data).toMatchObject({
        campaign_id: id,
        uploaded_count: 3,
        failed_count: 1,
        duplicate_count: 1,
        dnc_count: 0,
      });
      expect(reply.body.data.errors).toEqual([
        {
          index: 2,
          phone_number: 'not a number',
          field: 'phone_number',
          message: expect.any(String) as string,
        },
      ]);
      const record = await engine.store.getCampaign(id);
      expect(record?.counts.total).toBe(3);
      const stored = await storedContacts(engine, id);
      expect(stored.find((s) => s.phone === a)?.customData).toEqual({ plan: 'Premium' });

      // The same numbers again: all duplicates, nothing added.
      const again = await vg.post('/uploadCampaignData', {
        campaign_id: id,
        contacts: [{ phone_number: b }],
      });
      expect(again.body.data).toMatchObject({ uploaded_count: 0, duplicate_count: 1 });
      expect((await engine.store.getCampaign(id))?.counts.total).toBe(3);
    });

    it("creates the campaign when given campaign_name and script_id, as the page's example does", async () => {
      const [a, b] = numbers([1, 2], 42);

      const reply = await vg.post('/uploadCampaignData', {
        campaign_name: 'Summer Sale Campaign',
        script_id: 'script_123',
        contacts: [
          {
            phone_number: a,
            name: 'John Doe',
            email: 'john@example.com',
            custom_fields: { lead_source: 'Website' },
          },
          { phone_number: b, name: 'Jane Smith', email: 'jane@example.com' },
        ],
      });

      expect(reply.status).toBe(200);
      expect(reply.body.data).toMatchObject({ uploaded_count: 2, failed_count: 0, errors: [] });
      const record = await engine.store.getCampaign(reply.body.data.campaign_id as string);
      expect(record).toMatchObject({ name: 'Summer Sale Campaign', agentId: 'script_123', status: 'draft' });
    });

    it("answers a request without contacts with the page's 400 BAD_REQUEST naming the field", async () => {
      const id = await createCampaign(vg, campaignSettings('No contacts'));

      const reply = await vg.post('/uploadCampaignData', { campaign_id: id });

      expect(reply.status).toBe(400);
      expectShape(reply.body, UPLOAD_DATA_400, {
        enums: ['success', 'error'],
        extra: { details: ['issues'] },
      });
      expect(reply.body.details).toMatchObject({
        field: 'contacts',
        issue: expect.stringMatching(/required/) as string,
      });
    });

    it('refuses scheduled contacts without a valid future time, naming them (nothing is added)', async () => {
      const id = await createCampaign(vg, campaignSettings('Scheduled upload', { isScheduledCall: true }));
      const [a, b] = numbers([1, 2], 43);

      const reply = await vg.post('/uploadCampaignData', {
        campaign_id: id,
        contacts: [{ phone_number: a, scheduledCallDateTime: later() }, { phone_number: b }],
      });

      expect(reply.status).toBe(400);
      expect(reply.body.details.issues).toEqual([
        { path: 'contacts.1.scheduledCallDateTime', message: 'is required when isScheduledCall is true' },
      ]);
      expect((await engine.store.getCampaign(id))?.counts.total).toBe(0);
    });

    it('takes a multipart CSV file: contact columns, other columns as custom data, duplicates counted', async () => {
      const id = await createCampaign(vg, campaignSettings('Upload CSV'));
      const [a, b] = numbers([1, 2], 44) as [string, string];
      const national = `(${a.slice(2, 5)}) ${a.slice(5, 8)}-${a.slice(8)}`; // a, as people write it
      const csv = [
        'phone_number,name,email,scheduledCallDateTime,timezone,company,plan',
        `${a},Ann,ann@example.com,,America/New_York,Acme,"Gold, yearly"`,
        `${b},Bob,,,,Beta,`,
        `"${national}",Ann again,,,,,`,
        `12,Bad number,,,,,`,
      ].join('\r\n');
      const form = new FormData();
      form.append('campaign_id', id);
      form.append('file', new Blob([csv], { type: 'text/csv' }), 'contacts.csv');

      const reply = await vg.postForm('/uploadCampaignData', form);

      expect(reply.status).toBe(200);
      expect(reply.body.data).toMatchObject({
        campaign_id: id,
        uploaded_count: 2,
        failed_count: 1,
        duplicate_count: 1,
        errors: [{ index: 3, row: 5, phone_number: '12', field: 'phone_number' }],
      });
      const stored = await storedContacts(engine, id);
      const ann = stored.find((s) => s.phone === a);
      expect(ann).toMatchObject({
        name: 'Ann',
        email: 'ann@example.com',
        timezones: ['America/New_York'],
        customData: { company: 'Acme', plan: 'Gold, yearly' },
      });
      expect(stored.find((s) => s.phone === b)?.customData).toEqual({ company: 'Beta' });
    });

    it('refuses a CSV file without a phone_number column, naming the file field', async () => {
      const id = await createCampaign(vg, campaignSettings('Bad CSV'));
      const form = new FormData();
      form.append('campaign_id', id);
      form.append(
        'contacts_file',
        new Blob(['name,email\nAnn,ann@example.com\n'], { type: 'text/csv' }),
        'x.csv',
      );

      const reply = await vg.postForm('/uploadCampaignData', form);

      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({
        success: false,
        error: 'BAD_REQUEST',
        details: { field: 'contacts_file' },
      });
      expect(reply.body.details.issue).toMatch(/phone_number/);
    });

    it('replays a CSV upload retried with its Idempotency-Key; another file with the key → 422', async () => {
      const id = await createCampaign(vg, campaignSettings('CSV idempotency'));
      const [a, b] = numbers([1, 2], 45) as [string, string];
      const form = (phone: string) => {
        const f = new FormData();
        f.append('campaign_id', id);
        f.append('file', new Blob([`phone_number\n${phone}\n`], { type: 'text/csv' }), 'c.csv');
        return f;
      };
      const headers = { 'Idempotency-Key': `csv-${id}` };

      const first = await vg.postForm('/uploadCampaignData', form(a), { headers });
      const retry = await vg.postForm('/uploadCampaignData', form(a), { headers });
      const other = await vg.postForm('/uploadCampaignData', form(b), { headers });

      expect([first.status, retry.status, other.status]).toEqual([200, 200, 422]);
      expect(retry.body).toEqual(first.body);
      expect(retry.body.data.uploaded_count).toBe(1);
      expect((await engine.store.getCampaign(id))?.counts.total).toBe(1);
    });
  });

  describe('GET /pauseTheCampaign/:campaignId', () => {
    it("pauses a running campaign with the page's 200", async () => {
      const id = await runningCampaign('Pause', 46);

      const reply = await vg.get(`/pauseTheCampaign/${id}`);

      expect(reply.status).toBe(200);
      expectShape(reply.body, PAUSE_200, { enums: ['success', 'data.status', 'message'] });
      expect(reply.body.data).toMatchObject({ campaign_id: id, active_calls: 0 });
      expect((await engine.store.getCampaign(id))?.status).toBe('paused');
    });

    it("answers a campaign that is not running with the page's 400 CAMPAIGN_NOT_RUNNING", async () => {
      const paused = await runningCampaign('Pause twice', 47);
      expect((await vg.get(`/pauseTheCampaign/${paused}`)).status).toBe(200);
      const draft = await createCampaign(vg, campaignSettings('Draft'));

      for (const id of [paused, draft]) {
        const reply = await vg.get(`/pauseTheCampaign/${id}`);
        expect(reply.status).toBe(400);
        expect(reply.text).toBe(JSON.stringify(PAUSE_400));
      }
      expect((await engine.store.getCampaign(draft))?.status).toBe('draft');
    });
  });

  describe('GET /deleteCampaign/:campaignId', () => {
    it('deletes a campaign that is not running: it is gone from every route', async () => {
      const id = await createCampaign(vg, campaignSettings('Delete me'), [
        { phone_number: numbers([1], 48)[0]! },
      ]);

      const reply = await vg.get(`/deleteCampaign/${id}`);

      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        success: true,
        data: { campaign_id: id, status: 'deleted', deleted_at: expect.stringMatching(/Z$/) as string },
        message: 'Campaign deleted successfully',
      });
      expect((await vg.get(`/startCampaign/${id}`)).status).toBe(404);
      expect((await vg.get(`/getCampaignStats/${id}`)).status).toBe(404);
      expect((await vg.get(`/deleteCampaign/${id}`)).status).toBe(404);
    });

    it('refuses a running campaign with 400 CAMPAIGN_RUNNING, and keeps it', async () => {
      const running = await runningCampaign('Running, kept', 49);
      const reply = await vg.get(`/deleteCampaign/${running}`);
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({
        success: false,
        message: expect.any(String) as string,
        error: 'CAMPAIGN_RUNNING',
        details: { current_status: 'running' },
      });
      const record = await engine.store.getCampaign(running);
      expect(record?.deletedAt).toBeUndefined();
      expect(record?.status).toBe('running');
    });

    it('deletes a paused campaign (as the Pause page says it may), cancelling what it had not dialed', async () => {
      const paused = await runningCampaign('Paused, deleted', 50);
      expect((await vg.get(`/pauseTheCampaign/${paused}`)).status).toBe(200);
      const reply = await vg.get(`/deleteCampaign/${paused}`);
      expect(reply.status).toBe(200);
      const record = await engine.store.getCampaign(paused);
      expect(record?.deletedAt).toBeInstanceOf(Date);
      expect(['cancelled']).toContain(record?.status);
      expect((await vg.get(`/startCampaign/${paused}`)).status).toBe(404);
    });
  });
});
