/* eslint-disable @typescript-eslint/no-unsafe-member-access -- JSON bodies of HTTP replies */
import { parse } from 'csv-parse/sync';
import type { CallDoc } from '../../../src/campaigns/model';
import { startEngine, type Engine } from '../../support/engine';
import { HISTORY_200, STATS_200 } from './pages';
import {
  campaignSettings,
  createCampaign,
  expectShape,
  numbers,
  voicegenie,
  waitFor,
  waitForStatus,
  type VoiceGenieClient,
} from './support';

/**
 * Get Campaign Statuses, Get Campaign Stats, Get Campaign History, Download Campaign Stats and
 * Redial Campaign Calls, on a campaign whose calls really happened (the simulated carrier picks
 * each call's outcome by the number's last digit).
 */
describe('VoiceGenie statuses, stats, history, export and redial', () => {
  let engine: Engine;
  let vg: VoiceGenieClient;
  /** A finished campaign: two answered calls, then no answer, busy, failed, voicemail. */
  let done: string;
  let calls: CallDoc[];
  const outcomes = ['answered', 'answered', 'no_answer', 'busy', 'failed', 'voicemail'];

  beforeAll(async () => {
    engine = await startEngine();
    vg = voicegenie(engine);
    const contacts = numbers([1, 2, 4, 5, 7, 8], 61).map((phone_number, i) => ({
      phone_number,
      name: `Contact ${i}`,
      email: `c${i}@example.com`,
      custom_data: { company: `Company ${i}`, ...(i === 0 && { tier: 'gold' }) },
    }));
    done = await createCampaign(vg, campaignSettings('Finished'), contacts);
    expect((await vg.get(`/startCampaign/${done}`)).status).toBe(200);
    await waitForStatus(engine, done, 'completed');
    calls = await engine.store.calls.find({ campaignId: done }).toArray();
  });
  afterAll(() => engine?.stop());

  const callOf = (outcome: string) => calls.find((c) => c.outcome === outcome)!;

  /** A campaign that stays running: its one contact is due in an hour. */
  async function runningCampaign(name: string, seed: number): Promise<string> {
    const scheduledCallDateTime = new Date(Date.now() + 3600_000).toISOString();
    const contacts = numbers([1], seed).map((phone_number) => ({ phone_number, scheduledCallDateTime }));
    const id = await createCampaign(vg, campaignSettings(name, { isScheduledCall: true }), contacts);
    expect((await vg.get(`/startCampaign/${id}`)).status).toBe(200);
    return id;
  }

  it('the finished campaign made one call per contact with the outcome its number asks for', () => {
    expect(calls.map((c) => c.outcome).sort()).toEqual([...outcomes].sort());
    expect(calls.every((c) => typeof c.callId === 'string')).toBe(true);
  });

  describe('GET /getCampaignStats/:campaignId', () => {
    it("answers the page's 200 with counts, rates and durations from the record", async () => {
      const reply = await vg.get(`/getCampaignStats/${done}`);

      expect(reply.status).toBe(200);
      expectShape(reply.body, STATS_200, { enums: ['success'] });
      const total = calls.reduce((n, c) => n + (c.durationS ?? 0), 0);
      expect(total).toBeGreaterThan(0);
      expect(reply.body.data).toMatchObject({
        campaign_id: done,
        campaign_name: 'Finished',
        total_contacts: 6,
        calls_completed: 2,
        calls_failed: 4,
        calls_in_progress: 0,
        calls_pending: 0,
        success_rate: 33.33,
        total_call_duration: total,
        average_call_duration: Math.round(total / 2),
        call_status_breakdown: { answered: 2, busy: 1, no_answer: 1, failed: 1, voicemail: 1 },
      });
      expect(reply.body.data.completed_at).toMatch(/Z$/);
    });

    it('answers a running campaign with its live counters (completed_at null)', async () => {
      const id = await runningCampaign('Live stats', 62);

      const reply = await vg.get(`/getCampaignStats/${id}`);

      expect(reply.status).toBe(200);
      expectShape(reply.body, STATS_200, { enums: ['success', 'data.completed_at'] });
      expect(reply.body.data).toMatchObject({ total_contacts: 1, calls_pending: 1, calls_completed: 0 });
    });
  });

  describe('POST /getHistory', () => {
    it("answers the page's example request with the page's 200: one row per call", async () => {
      const reply = await vg.post('/getHistory', {
        campaign_id: done,
        limit: 50,
        offset: 0,
        status_filter: 'answered',
      });

      expect(reply.status).toBe(200);
      expectShape(reply.body, HISTORY_200, {
        enums: ['success', 'data.history[].status', 'data.pagination.limit', 'data.pagination.offset'],
        nullable: ['data.history[].recording_url'],
        extra: { 'data.history[]': ['attempt'], 'data.pagination': ['page'] },
      });
      const rows = reply.body.data.history as { call_id: string; duration: number; contact_name: string }[];
      expect(rows).toHaveLength(2);
      const answered = calls.filter((c) => c.outcome === 'answered');
      expect(rows.map((r) => r.call_id).sort()).toEqual(answered.map((c) => c.callId).sort());
      expect(rows.every((r) => r.duration > 0 && r.contact_name.startsWith('Contact '))).toBe(true);
      expect(reply.body.data.pagination).toEqual({ total: 2, limit: 50, offset: 0, page: 1 });
    });

    it('pages with page/limit (or offset), oldest call first', async () => {
      const all = await vg.post('/getHistory', { campaign_id: done, limit: 50 });
      const second = await vg.post('/getHistory', { campaign_id: done, limit: 2, page: 2 });
      const byOffset = await vg.post('/getHistory', { campaign_id: done, limit: 2, offset: 2 });

      expect(all.body.data.pagination).toEqual({ total: 6, limit: 50, offset: 0, page: 1 });
      expect(second.body.data.history).toEqual((all.body.data.history as unknown[]).slice(2, 4));
      expect(second.body.data.pagination).toEqual({ total: 6, limit: 2, offset: 2, page: 2 });
      expect(byOffset.body).toEqual(second.body);
    });

    it('names the field it refuses; an unknown campaign is 404', async () => {
      const badFilter = await vg.post('/getHistory', { campaign_id: done, status_filter: 'happy' });
      const noCampaign = await vg.post('/getHistory', { limit: 10 });
      const badLimit = await vg.post('/getHistory', { campaign_id: done, limit: 0 });
      const unknown = await vg.post('/getHistory', { campaign_id: '507f1f77bcf86cd799439013' });

      expect([badFilter.status, noCampaign.status, badLimit.status, unknown.status]).toEqual([
        400, 400, 400, 404,
      ]);
      expect(badFilter.body.details.field).toBe('status_filter');
      expect(noCampaign.body.details.field).toBe('campaign_id');
      expect(badLimit.body.details.field).toBe('limit');
      expect(unknown.body).toEqual({ success: false, message: 'Campaign not found', error: 'NOT_FOUND' });
    });
  });

  describe('GET /downloadCampaignStats', () => {
    it('exports the per-call rows as CSV with a header row', async () => {
      const reply = await vg.get(`/downloadCampaignStats?campaign_id=${done}&format=csv`);

      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(reply.headers.get('content-disposition')).toMatch(
        /^attachment; filename="CAMP-\d{4}-\d{3}-stats\.csv"$/,
      );
      const [header, ...rows] = parse(reply.text);
      expect(header).toEqual([
        'call_id',
        'campaign_id',
        'contact_id',
        'contact_name',
        'phone_number',
        'email',
        'status',
        'attempt',
        'duration',
        'call_time',
        'ended_at',
        'end_reason',
        'company',
        'tier',
      ]);
      expect(rows).toHaveLength(6);
      const byCallId = new Map(rows.map((r) => [r[0], r]));
      for (const call of calls) {
        const row = byCallId.get(call.callId)!;
        expect(row[1]).toBe(done);
        expect(row[4]).toBe(call.phone);
        expect(row[6]).toBe(call.outcome);
        expect(row[8]).toBe(String(call.durationS ?? 0));
        expect(row[9]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      }
      expect(rows.filter((r) => r[13] === 'gold')).toHaveLength(1);
    });

    it('offers only format=csv: anything else, or none, is 400 naming format', async () => {
      for (const query of [`campaign_id=${done}&format=xlsx`, `campaign_id=${done}`]) {
        const reply = await vg.get(`/downloadCampaignStats?${query}`);
        expect(reply.status).toBe(400);
        expect(reply.body).toMatchObject({
          success: false,
          error: 'BAD_REQUEST',
          details: { field: 'format' },
        });
      }
      const noId = await vg.get('/downloadCampaignStats?format=csv');
      expect(noId.status).toBe(400);
      expect(noId.body.details.field).toBe('campaign_id');
    });
  });

  describe('GET /getCampaignStatuses', () => {
    it('lists campaigns with call statistics, success metrics, progress and redial info, plus a summary', async () => {
      const running = await runningCampaign('Live status', 63);

      // Right after a start the workflow may not answer queries yet (the record answers meanwhile).
      const reply = await waitFor('the running workflow to answer', async () => {
        const r = await vg.get('/getCampaignStatuses');
        const item = (
          r.body.data.campaigns as { campaign_id: string; progress: { estimated_completion: unknown } }[]
        ).find((c) => c.campaign_id === running);
        return item?.progress.estimated_completion ? r : undefined;
      });

      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ success: true, message: expect.any(String) as string });
      const items = reply.body.data.campaigns as { campaign_id: string; status: string }[];
      const finished: any = items.find((c) => c.campaign_id === done); // eslint-disable-line @typescript-eslint/no-explicit-any
      const live: any = items.find((c) => c.campaign_id === running); // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(finished).toMatchObject({
        status: 'completed',
        call_statistics: {
          total_contacts: 6,
          calls_initiated: 6,
          calls_completed: 2,
          calls_failed: 4,
          call_status_breakdown: { answered: 2, busy: 1, no_answer: 1, failed: 1, voicemail: 1 },
        },
        success_metrics: { success_rate: 33.33, answer_rate: 33.33 },
        progress: { completed_contacts: 6, remaining_contacts: 0, percentage: 100 },
        redial_info: { enabled: false, max_attempts: 1 },
      });
      // Live counters come from the running workflow.
      expect(live).toMatchObject({
        status: 'in_progress',
        call_statistics: { total_contacts: 1, calls_pending: 1 },
        progress: { remaining_contacts: 1, percentage: 0 },
      });
      expect(Date.parse(live.progress.estimated_completion as string)).toBeGreaterThan(Date.now());
      const tally: Record<string, number> = {};
      for (const item of items) tally[item.status] = (tally[item.status] ?? 0) + 1;
      expect(reply.body.data.summary).toMatchObject({ total_campaigns: items.length, by_status: tally });
      expect(tally.in_progress).toBeGreaterThanOrEqual(1);
    });

    it('filters by status in either word (in_progress or running) and refuses unknown ones', async () => {
      const inProgress = await vg.get('/getCampaignStatuses?status=in_progress');
      const running = await vg.get('/getCampaignStatuses?status=running');
      const completed = await vg.get('/getCampaignStatuses?status=completed&limit=1');
      const bogus = await vg.get('/getCampaignStatuses?status=happy');

      const statuses = (r: typeof inProgress) =>
        (r.body.data.campaigns as { status: string }[]).map((c) => c.status);
      expect(new Set(statuses(inProgress))).toEqual(new Set(['in_progress']));
      const ids = (r: typeof inProgress) =>
        (r.body.data.campaigns as { campaign_id: string }[]).map((c) => c.campaign_id);
      expect(ids(inProgress).length).toBeGreaterThan(0);
      expect(ids(running)).toEqual(ids(inProgress));
      expect(statuses(completed)).toEqual(['completed']);
      expect(completed.body.data.pagination).toMatchObject({ limit: 1, offset: 0 });
      expect(bogus.status).toBe(400);
      expect(bogus.body.details.field).toBe('status');
    });
  });

  describe('POST /redialCampaignCalls', () => {
    it("redials named calls (call_uuids are our calls' provider ids); unknown ones are excluded", async () => {
      const noAnswer = callOf('no_answer');

      const reply = await vg.post('/redialCampaignCalls', {
        campaign_id: done,
        call_uuids: [noAnswer.callId, 'call_unknown'],
      });

      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({
        success: true,
        data: {
          campaign_id: done,
          redial_batch_id: expect.any(String) as string,
          total_calls_to_redial: 2,
          calls_scheduled: 1,
          calls_excluded: 1,
          excluded_reasons: { not_found: 1 },
        },
      });
      const redialed = await waitFor('the redial to be made', async () => {
        const contact = await engine.store.getContact(noAnswer.contactId);
        return contact?.attempts === 2 && contact.status === 'failed' ? contact : undefined;
      });
      expect(redialed.lastOutcome).toBe('no_answer');
      await waitForStatus(engine, done, 'completed');
      const history = await vg.post('/getHistory', { campaign_id: done, limit: 50 });
      expect(history.body.data.pagination.total).toBe(7);
    });

    it('redials by criteria, honouring max_previous_attempts; an Idempotency-Key retry adds no batch', async () => {
      const tooMany = await vg.post('/redialCampaignCalls', {
        campaign_id: done,
        redial_criteria: { statuses: ['no_answer'], max_previous_attempts: 1 },
      });
      expect(tooMany.status).toBe(200);
      expect(tooMany.body.data).toMatchObject({
        total_calls_to_redial: 1,
        calls_scheduled: 0,
        calls_excluded: 1,
        excluded_reasons: { max_attempts_reached: 1 },
      });

      const batches = () => engine.store.batches.countDocuments({ campaignId: done });
      const before = await batches();
      const headers = { 'Idempotency-Key': `redial-${done}` };
      const body = {
        campaign_id: done,
        redial_criteria: { statuses: ['voicemail', 'busy'], exclude_dnc: true },
      };
      const first = await vg.post('/redialCampaignCalls', body, { headers });
      const retry = await vg.post('/redialCampaignCalls', body, { headers });

      expect(first.status).toBe(200);
      expect(first.body.data).toMatchObject({
        total_calls_to_redial: 2,
        calls_scheduled: 2,
        calls_excluded: 0,
      });
      expect(retry.body).toEqual(first.body);
      expect(await batches()).toBe(before + 1);
      await waitFor('the redials to finish', async () => {
        const c = await engine.store.getCampaign(done);
        return c?.status === 'completed' && c.counts.calls.placed === 9 ? c : undefined;
      });
      const status = await vg.get('/getCampaignStatuses?status=completed');
      const item = (status.body.data.campaigns as { campaign_id: string; redial_info: object }[]).find(
        (c) => c.campaign_id === done,
      );
      expect(item?.redial_info).toMatchObject({ redial_attempts: 3 });
    });

    it('names what it refuses; a campaign that never ran cannot be redialed', async () => {
      const neither = await vg.post('/redialCampaignCalls', { campaign_id: done });
      const badStatus = await vg.post('/redialCampaignCalls', {
        campaign_id: done,
        redial_criteria: { statuses: ['grumpy'] },
      });
      const draft = await createCampaign(vg, campaignSettings('Never ran'));
      const never = await vg.post('/redialCampaignCalls', { campaign_id: draft, call_uuids: ['x'] });

      expect(neither.status).toBe(400);
      expect(neither.body.details.field).toBe('call_uuids');
      expect(badStatus.status).toBe(400);
      expect(badStatus.body.details.field).toBe('redial_criteria.statuses.0');
      expect(never.status).toBe(422);
      expect(never.body).toMatchObject({
        success: false,
        error: 'INVALID_CAMPAIGN_STATE',
        details: { current_status: 'draft' },
      });
    });
  });
});
