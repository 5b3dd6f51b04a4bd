import {
  campaignListSchema,
  campaignSchema,
  campaignStatusSchema,
  contactPageSchema,
  contactSchema,
  uploadResultSchema,
} from '../../../src/api/v1/schemas';
import { workflowMetadataQuery } from '@temporalio/workflow';
import { campaignWorkflowId, contactWorkflowId } from '../../../src/domain/ids';
import { syntheticNumbers } from '../../../src/phones/synthetic-numbers';
import type { CampaignResult } from '../../../workflows/campaign';
import { ALWAYS_OPEN } from '../../support/campaigns';
import { startEngine, type Engine } from '../../support/engine';
import { numbersEndingIn, V1Client, waitFor } from './client';

let engine: Engine;
let api: V1Client;

beforeAll(async () => {
  engine = await startEngine();
  api = new V1Client(engine.apiUrl, engine.apiKey);
});
afterAll(async () => {
  await engine?.stop();
});

async function createCampaign(settings: Record<string, unknown> = {}): Promise<string> {
  const campaign = await api.ok(
    campaignSchema,
    'POST',
    '/v1/campaigns',
    { body: { name: 'life cycle', agentId: 'agent-1', callingHours: ALWAYS_OPEN, ...settings } },
    201,
  );
  return campaign.id;
}

describe('campaign life cycle through /v1', () => {
  it('pauses, resumes and cancels a running campaign; conflicts answer 409 with the service code', async () => {
    const inAnHour = new Date(Date.now() + 3600_000).toISOString();
    const id = await createCampaign({ isScheduledCall: true });
    const numbers = numbersEndingIn([1, 2, 3], 201);
    const upload = await api.ok(uploadResultSchema, 'POST', `/v1/campaigns/${id}/contacts`, {
      body: [
        ...numbers.map((phone_number) => ({ phone_number, scheduledCallDateTime: inAnHour })),
        { phone_number: numbersEndingIn([1], 202)[0], scheduledCallDateTime: '2020-01-01T00:00:00Z' },
      ],
    });
    expect(upload).toMatchObject({ uploaded: 3, scheduled: 3, immediate: 0 });
    expect(upload.rejected).toEqual([
      {
        index: 3,
        field: 'scheduledCallDateTime',
        reason: expect.stringMatching(/future/) as unknown,
        phone_number: expect.any(String) as unknown,
      },
    ]);

    expect((await api.ok(campaignSchema, 'POST', `/v1/campaigns/${id}/start`)).status).toBe('running');
    const deleteRunning = await api.fail('DELETE', `/v1/campaigns/${id}`, {}, 409);
    expect(deleteRunning).toMatchObject({ code: 'CAMPAIGN_RUNNING', details: { current_status: 'running' } });
    // Live from the workflow: the contacts sleep until their time, so nothing can finish before it.
    const live = await waitFor(
      () => api.ok(campaignStatusSchema, 'GET', `/v1/campaigns/${id}/status`),
      (s) => s.source === 'workflow' && s.counters.contacts.scheduled + s.counters.contacts.pending === 3,
      { what: 'the workflow to report its contacts' },
    );
    expect(live).toMatchObject({ status: 'running', live_calls: 0, counters: { total: 3 } });
    expect(Date.parse(live.estimated_completion_at as string)).toBeGreaterThanOrEqual(Date.parse(inAnHour));

    const paused = await api.ok(campaignSchema, 'POST', `/v1/campaigns/${id}/pause`);
    expect(paused.status).toBe('paused');
    expect(paused.paused_at).not.toBeNull();
    const pausedStatus = await api.ok(campaignStatusSchema, 'GET', `/v1/campaigns/${id}/status`);
    expect(pausedStatus).toMatchObject({ status: 'paused', source: 'workflow' });
    expect(pausedStatus.paused_at).not.toBeNull();

    const pauseAgain = await api.fail('POST', `/v1/campaigns/${id}/pause`, {}, 409);
    expect(pauseAgain).toMatchObject({ code: 'CAMPAIGN_NOT_RUNNING', details: { current_status: 'paused' } });
    const startPaused = await api.fail('POST', `/v1/campaigns/${id}/start`, {}, 409);
    expect(startPaused.code).toBe('CAMPAIGN_ALREADY_RUNNING');

    const resumed = await api.ok(campaignSchema, 'POST', `/v1/campaigns/${id}/resume`);
    expect(resumed).toMatchObject({ status: 'running', paused_at: null });
    const resumeAgain = await api.fail('POST', `/v1/campaigns/${id}/resume`, {}, 409);
    expect(resumeAgain.code).toBe('CAMPAIGN_ALREADY_RUNNING');

    const cancelled = await api.ok(campaignSchema, 'POST', `/v1/campaigns/${id}/cancel`);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.cancelled_at).not.toBeNull();
    const final = await waitFor(
      () => api.ok(campaignStatusSchema, 'GET', `/v1/campaigns/${id}/status`),
      (s) => s.counters.contacts.cancelled === 3,
      { what: 'every contact to be cancelled' },
    );
    expect(final).toMatchObject({
      status: 'cancelled',
      source: 'record',
      live_calls: 0,
      finished_contacts: 3,
    });
    const contacts = await api.ok(contactPageSchema, 'GET', `/v1/campaigns/${id}/contacts?status=cancelled`);
    expect(contacts.data.map((c) => c.phone_number).sort()).toEqual([...numbers].sort());

    const cancelAgain = await api.fail('POST', `/v1/campaigns/${id}/cancel`, {}, 409);
    expect(cancelAgain).toMatchObject({
      code: 'INVALID_CAMPAIGN_STATE',
      details: { current_status: 'cancelled' },
    });
    const lateUpload = await api.fail(
      'POST',
      `/v1/campaigns/${id}/contacts`,
      { body: [{ phone_number: numbersEndingIn([2], 203)[0] }] },
      409,
    );
    expect(lateUpload.code).toBe('CAMPAIGN_FINISHED');
    expect(engine.carrier.ledger.calls({ campaignId: id })).toEqual([]);

    const deleted = await api.send('DELETE', `/v1/campaigns/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect((await api.fail('GET', `/v1/campaigns/${id}`, {}, 404)).code).toBe('NOT_FOUND');
    const listed = await api.ok(campaignListSchema, 'GET', '/v1/campaigns?limit=100');
    expect(listed.data.map((c) => c.id)).not.toContain(id);
  });

  it('refuses to start a campaign that lacks an agent and contacts, naming both', async () => {
    const campaign = await api.ok(campaignSchema, 'POST', '/v1/campaigns', { body: { name: 'bare' } }, 201);
    const refused = await api.fail('POST', `/v1/campaigns/${campaign.id}/start`, {}, 409);
    expect(refused).toMatchObject({ code: 'INVALID_CAMPAIGN_STATE' });
    expect(refused.issues?.map((i) => i.path)).toEqual(['agentId', 'contacts']);

    const redial = await api.fail(
      'POST',
      `/v1/campaigns/${campaign.id}/redial`,
      { body: { criteria: { outcomes: ['no_answer'] } } },
      409,
    );
    expect(redial).toMatchObject({ code: 'INVALID_CAMPAIGN_STATE', details: { current_status: 'draft' } });
    expect((await api.fail('POST', `/v1/campaigns/${campaign.id}/pause`, {}, 409)).code).toBe(
      'CAMPAIGN_NOT_RUNNING',
    );
    expect((await api.fail('POST', `/v1/campaigns/${campaign.id}/resume`, {}, 409)).code).toBe(
      'CAMPAIGN_NOT_PAUSED',
    );
  });

  it('cancels a draft at once: its contacts end cancelled without any workflow', async () => {
    const id = await createCampaign();
    await api.ok(uploadResultSchema, 'POST', `/v1/campaigns/${id}/contacts`, {
      body: numbersEndingIn([1, 2], 204).map((phone_number) => ({ phone_number })),
    });
    expect((await api.ok(campaignSchema, 'POST', `/v1/campaigns/${id}/cancel`)).status).toBe('cancelled');
    const status = await api.ok(campaignStatusSchema, 'GET', `/v1/campaigns/${id}/status`);
    expect(status).toMatchObject({ status: 'cancelled', source: 'record' });
    expect(status.counters.contacts).toMatchObject({ cancelled: 2, pending: 0 });
    expect((await api.fail('POST', `/v1/campaigns/${id}/start`, {}, 409)).code).toBe(
      'INVALID_CAMPAIGN_STATE',
    );
  });

  it('shows a contact waiting for its calling window live from its workflow, with the time of its dial', async () => {
    const weekdays = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
    // Open on one day only, three days from now (UTC): closed now, and for the whole test.
    const opensOn = new Date(Date.now() + 3 * 24 * 3600_000);
    const day = weekdays[opensOn.getUTCDay()]!;
    const id = await createCampaign({ callingHours: { days: [{ day, start: '09:00', end: '17:00' }] } });
    const [phone] = numbersEndingIn([1], 203);
    const upload = await api.ok(uploadResultSchema, 'POST', `/v1/campaigns/${id}/contacts`, {
      body: [{ phone_number: phone, timezone: 'UTC' }],
    });
    expect(upload.uploaded).toBe(1);
    await api.ok(campaignSchema, 'POST', `/v1/campaigns/${id}/start`);
    const [listed] = (await api.ok(contactPageSchema, 'GET', `/v1/campaigns/${id}/contacts`)).data;

    const contact = await waitFor(
      () => api.ok(contactSchema, 'GET', `/v1/campaigns/${id}/contacts/${listed!.id}`),
      (c) => c.status === 'waiting_window',
      { what: 'the contact to wait for its window' },
    );
    const opensAt = Date.UTC(opensOn.getUTCFullYear(), opensOn.getUTCMonth(), opensOn.getUTCDate(), 9);
    expect(contact).toMatchObject({ attempts: 0, next_attempt_at: new Date(opensAt).toISOString() });

    // What an operator sees in the Web UI's "current details" of each workflow (its metadata query).
    const details = (workflowId: string) =>
      engine.client.workflow
        .getHandle(workflowId)
        .query(workflowMetadataQuery)
        .then((m) => m.currentDetails ?? '');
    expect(await details(contactWorkflowId(id, listed!.id))).toBe(
      `${phone}: sleeps until ${new Date(opensAt).toISOString()}, when its calling window opens; then attempt 1 of 1.`,
    );
    const campaignDetails =
      /^running: 0 of 1 contact final; 0 of \d+ lines in calls; 0 waiting for a line; 1 contact workflow open\. This run has \d+ history events\.$/;
    await waitFor(
      () => details(campaignWorkflowId(id)),
      (d) => campaignDetails.test(d),
      { what: "the campaign's details to count its open contact" },
    );

    await api.ok(campaignSchema, 'POST', `/v1/campaigns/${id}/cancel`);
    await waitFor(
      () => api.ok(contactSchema, 'GET', `/v1/campaigns/${id}/contacts/${listed!.id}`),
      (c) => c.status === 'cancelled',
      { what: 'the contact to end cancelled' },
    );
  });

  it('answers many callers polling one campaign at once from shared reads of its record', async () => {
    const id = await createCampaign({ isScheduledCall: true });
    await api.ok(uploadResultSchema, 'POST', `/v1/campaigns/${id}/contacts`, {
      body: [
        {
          phone_number: numbersEndingIn([1], 204)[0],
          scheduledCallDateTime: new Date(Date.now() + 3600_000).toISOString(),
        },
      ],
    });
    await api.ok(campaignSchema, 'POST', `/v1/campaigns/${id}/start`);
    // The first read is held a moment, so that every request arrives while it is under way.
    const read = engine.store.findCampaign.bind(engine.store);
    const spy = jest.spyOn(engine.store, 'findCampaign').mockImplementation(async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return read(...args);
    });
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, () => api.ok(campaignStatusSchema, 'GET', `/v1/campaigns/${id}/status`)),
      );
      expect(answers.every((a) => a.status === 'running' && a.counters.total === 1)).toBe(true);
      expect(spy.mock.calls.length).toBeLessThan(20);
    } finally {
      spy.mockRestore();
    }
    await api.ok(campaignSchema, 'POST', `/v1/campaigns/${id}/cancel`);
  });

  it('cancels a running campaign with a thousand contacts not yet started, every one of them', async () => {
    // One line and a call that lasts a minute: the campaign starts one contact and holds the rest.
    const id = await createCampaign({ maxConcurrentCalls: 1, isContextBasedCall: true });
    const numbers = syntheticNumbers({ count: 1000, seed: 205, lastDigit: () => 1 });
    await api.ok(uploadResultSchema, 'POST', `/v1/campaigns/${id}/contacts`, {
      body: numbers.map((phone_number) => ({
        phone_number,
        custom_data: { simulate: { delayMs: 60_000 } },
      })),
    });
    await api.ok(campaignSchema, 'POST', `/v1/campaigns/${id}/start`);
    await waitFor(
      () => api.ok(campaignStatusSchema, 'GET', `/v1/campaigns/${id}/status`),
      (s) => s.live_calls === 1,
      { what: 'the first call' },
    );
    await api.ok(campaignSchema, 'POST', `/v1/campaigns/${id}/cancel`);
    const result = (await engine.client.workflow
      .getHandle(campaignWorkflowId(id))
      .result()) as CampaignResult;
    expect(result.status).toBe('cancelled');
    expect(result.counters.contacts.cancelled).toBe(1000);
    expect(await engine.store.contacts.countDocuments({ campaignId: id, status: 'cancelled' })).toBe(1000);
  });
});
