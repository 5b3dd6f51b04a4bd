/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- JSON bodies of HTTP replies */
import { startEngine, type Engine } from '../../support/engine';
import { ALWAYS_OPEN, storedContacts } from '../../support/campaigns';
import { UPLOAD_AND_RUN_200, UPLOAD_AND_RUN_CURL_BODY, UPLOAD_AND_RUN_REQUEST } from './pages';
import { expectShape, numbers, voicegenie, waitForStatus, type VoiceGenieClient } from './support';

/** Seed 003: POST /uploadCampaignDataAndRun (create + upload + start in one call). */
describe('VoiceGenie POST /uploadCampaignDataAndRun (seed 003)', () => {
  let engine: Engine;
  let vg: VoiceGenieClient;

  beforeAll(async () => {
    engine = await startEngine();
    vg = voicegenie(engine);
  });
  afterAll(() => engine?.stop());

  /** Campaigns of an account, deleted ones included: "nothing created" means this does not move. */
  const campaignsOf = (accountId: string) => engine.store.campaigns.countDocuments({ accountId });
  /** Contacts stored with any of these (E.164) numbers, in any campaign. */
  const contactsWith = (phones: string[]) => engine.store.contacts.countDocuments({ phone: { $in: phones } });

  /** The fields a caller sets; compared with the page's example where we sent the same. */
  const sameAsSent = [
    'success',
    'message',
    'data.campaign.campaignName',
    'data.campaign.status',
    'data.campaign.agentId',
    'data.campaign.isScheduledCall',
    'data.campaign.isContextBasedCall',
    'data.redial_config.enabled',
    'data.redial_config.maxAttempts',
  ];

  it("answers the page's cURL example, sent byte for byte, with the page's 200", async () => {
    // curl -X POST "<api>/uploadCampaignDataAndRun" -H "x-api-key: <key>" -H "Content-Type: application/json" -d '...'
    const reply = await vg.post('/uploadCampaignDataAndRun', UPLOAD_AND_RUN_CURL_BODY);

    expect(reply.status).toBe(200);
    expectShape(reply.body, UPLOAD_AND_RUN_200, { enums: sameAsSent });
    const { campaign, execution_status, redial_config } = reply.body.data;
    expect(campaign._id).toMatch(/^[0-9a-f]{24}$/);
    expect(campaign.campaignId).toMatch(/^CAMP-\d{4}-\d{3}$/);
    expect(campaign.totalContacts).toBe(1);
    expect(execution_status).toMatchObject({ calls_queued: 1, calls_initiated: 0 });
    expect(Date.parse(execution_status.estimated_completion as string)).toBeGreaterThan(Date.now() - 1000);
    expect(Date.parse(campaign.campaignStartTime as string)).toBeGreaterThanOrEqual(
      Date.parse(campaign.createdAt as string),
    );
    // retryIntervals was not sent: the campaign's effective intervals are answered.
    expect(redial_config.retryIntervals).toEqual([3600]);

    const record = await engine.store.getCampaign(campaign._id as string);
    expect(record).toMatchObject({
      status: 'running',
      name: 'Q1 Sales Outreach',
      agentId: '507f1f77bcf86cd799439012',
      isContextBasedCall: true,
      code: campaign.campaignId,
    });
    const contacts = await storedContacts(engine, campaign._id as string);
    expect(contacts.map((c) => [c.phone, c.name, c.customData])).toEqual([
      ['+919876543210', 'John Doe', { company: 'Acme Corp' }],
    ]);
  });

  it("answers the page's example request with the page's 200, field for field where we sent the same", async () => {
    const reply = await vg.post('/uploadCampaignDataAndRun', UPLOAD_AND_RUN_REQUEST);

    expect(reply.status).toBe(200);
    expectShape(reply.body, UPLOAD_AND_RUN_200, {
      enums: [
        ...sameAsSent,
        'data.campaign.totalContacts',
        'data.execution_status.calls_queued',
        'data.execution_status.calls_initiated',
        'data.redial_config',
      ],
    });
    const record = await engine.store.getCampaign(reply.body.data.campaign._id as string);
    expect(record?.redialConfig).toMatchObject({
      enabled: true,
      maxAttempts: 3,
      retryIntervals: [3600, 7200, 14400],
    });
  });

  it('takes our extensions maxConcurrentCalls and callingHours, and the calls happen', async () => {
    const contacts = numbers([1, 2, 3], 31).map((phone_number, i) => ({ phone_number, name: `C${i}` }));

    const reply = await vg.post('/uploadCampaignDataAndRun', {
      campaignName: 'Extensions',
      agentId: 'agent-7',
      maxConcurrentCalls: 2,
      callingHours: ALWAYS_OPEN,
      contacts,
    });

    expect(reply.status).toBe(200);
    const id = reply.body.data.campaign._id as string;
    const done = await waitForStatus(engine, id, 'completed');
    expect(done.maxConcurrentCalls).toBe(2);
    expect(done.callingHours).toEqual(ALWAYS_OPEN);
    expect(done.counts.contacts.completed).toBe(3);
  });

  it('refuses more than 1000 contacts with 400 naming the field, and creates nothing', async () => {
    const { accountId, apiKey } = await engine.newAccount('1001 contacts');
    const contacts = numbers(
      Array.from({ length: 1001 }, () => 1),
      32,
    ).map((phone_number) => ({ phone_number }));

    const reply = await vg.post(
      '/uploadCampaignDataAndRun',
      { ...UPLOAD_AND_RUN_REQUEST, contacts },
      { key: apiKey },
    );

    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({
      success: false,
      error: 'BAD_REQUEST',
      details: { field: 'contacts' },
    });
    expect(reply.body.details.issues).toEqual([
      { path: 'contacts', message: 'must hold at most 1000 contacts per request (got 1001)' },
    ]);
    expect(await campaignsOf(accountId)).toBe(0);
  });

  it('refuses isScheduledCall with missing, malformed or past scheduledCallDateTime, naming each contact', async () => {
    const { accountId, apiKey } = await engine.newAccount('bad schedules');
    const [a, b, c, d] = numbers([1, 2, 3, 1], 33);
    const contacts = [
      { phone_number: a },
      { phone_number: b, scheduledCallDateTime: 'tomorrow at noon' },
      { phone_number: c, scheduledCallDateTime: '2020-01-01T10:00:00Z' },
      { phone_number: d, scheduledCallDateTime: new Date(Date.now() + 3600_000).toISOString() },
    ];

    const reply = await vg.post(
      '/uploadCampaignDataAndRun',
      { ...UPLOAD_AND_RUN_REQUEST, isScheduledCall: true, contacts },
      { key: apiKey },
    );

    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe('BAD_REQUEST');
    const issues = reply.body.details.issues as { path: string; message: string }[];
    expect(issues.map((i) => i.path)).toEqual([
      'contacts.0.scheduledCallDateTime',
      'contacts.1.scheduledCallDateTime',
      'contacts.2.scheduledCallDateTime',
    ]);
    expect(issues[0]!.message).toMatch(/required/);
    expect(issues[1]!.message).toMatch(/ISO 8601/);
    expect(issues[2]!.message).toMatch(/future/);
    expect(reply.body.message).toMatch(/contacts\.0\.scheduledCallDateTime/);
    expect(await campaignsOf(accountId)).toBe(0);
  });

  it('refuses numbers that cannot be dialled and missing fields, naming them, and creates nothing', async () => {
    const { accountId, apiKey } = await engine.newAccount('bad fields');
    const [good] = numbers([1], 34);

    const reply = await vg.post(
      '/uploadCampaignDataAndRun',
      {
        agentId: 'agent-1',
        redialConfig: { enabled: true, maxAttempts: 99 },
        contacts: [{ phone_number: good }, { phone_number: '12' }, { name: 'no number' }],
      },
      { key: apiKey },
    );

    expect(reply.status).toBe(400);
    const paths = (reply.body.details.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['campaignName', 'redialConfig.maxAttempts', 'contacts.2.phone_number']),
    );
    expect(await campaignsOf(accountId)).toBe(0);

    const badNumber = await vg.post(
      '/uploadCampaignDataAndRun',
      { ...UPLOAD_AND_RUN_REQUEST, contacts: [{ phone_number: good }, { phone_number: '+1 555 0100' }] },
      { key: apiKey },
    );
    expect(badNumber.status).toBe(400);
    expect(badNumber.body.details.issues).toEqual([
      { path: 'contacts.1.phone_number', message: expect.any(String) as string },
    ]);
    expect(await campaignsOf(accountId)).toBe(0);

    const valid = numbers(Array<number>(999).fill(1), 35);
    const lastOfAThousand = await vg.post(
      '/uploadCampaignDataAndRun',
      {
        ...UPLOAD_AND_RUN_REQUEST,
        contacts: [...valid.map((n) => ({ phone_number: n })), { phone_number: '12' }],
      },
      { key: apiKey },
    );
    expect(lastOfAThousand.status).toBe(400);
    expect(lastOfAThousand.body.details.issues).toEqual([
      { path: 'contacts.999.phone_number', message: expect.any(String) as string },
    ]);
    expect(await campaignsOf(accountId)).toBe(0);
    expect(await contactsWith(valid)).toBe(0);
  });

  it('replays a retry with the same Idempotency-Key, creating nothing more; another body with it → 422', async () => {
    const { accountId, apiKey } = await engine.newAccount('idempotency');
    const key = `run-${Date.now()}`;
    const headers = { 'Idempotency-Key': key };

    const first = await vg.post('/uploadCampaignDataAndRun', UPLOAD_AND_RUN_REQUEST, {
      key: apiKey,
      headers,
    });
    const retry = await vg.post('/uploadCampaignDataAndRun', UPLOAD_AND_RUN_REQUEST, {
      key: apiKey,
      headers,
    });

    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await campaignsOf(accountId)).toBe(1);

    const reused = await vg.post(
      '/uploadCampaignDataAndRun',
      { ...UPLOAD_AND_RUN_REQUEST, campaignName: 'Another campaign' },
      { key: apiKey, headers },
    );
    expect(reused.status).toBe(422);
    expect(reused.body).toEqual({
      success: false,
      message: expect.any(String) as string,
      error: 'KEY_REUSED',
    });
    expect(await campaignsOf(accountId)).toBe(1);
  });
});
