import type { z } from 'zod';
import {
  callPageSchema,
  callSchema,
  campaignListSchema,
  campaignSchema,
  campaignStatusSchema,
  contactPageSchema,
  contactSchema,
  redialResultSchema,
  uploadResultSchema,
} from '../../../src/api/v1/schemas';
import { callOutcomes } from '../../../src/domain/status';
import { ALWAYS_OPEN } from '../../support/campaigns';
import { startEngine, type Engine } from '../../support/engine';
import { expectStatus, numbersEndingIn, V1Client, waitFor } from './client';

let engine: Engine;
let api: V1Client;

beforeAll(async () => {
  engine = await startEngine();
  api = new V1Client(engine.apiUrl, engine.apiKey);
});
afterAll(async () => {
  await engine?.stop();
});

type Call = z.output<typeof callSchema>;

/** Every call of a campaign, following the pages. */
async function allCalls(campaignId: string, limit = 3): Promise<Call[]> {
  const calls: Call[] = [];
  let offset: number | null = 0;
  while (offset !== null) {
    const page: z.output<typeof callPageSchema> = await api.ok(
      callPageSchema,
      'GET',
      `/v1/campaigns/${campaignId}/calls?limit=${limit}&offset=${offset}`,
    );
    expect(page.data.length).toBeLessThanOrEqual(limit);
    calls.push(...page.data);
    offset = page.page.next_offset;
  }
  return calls;
}

function statusOf(campaignId: string) {
  return api.ok(campaignStatusSchema, 'GET', `/v1/campaigns/${campaignId}/status`);
}

function untilCompleted(campaignId: string, placed: number) {
  return waitFor(
    () => statusOf(campaignId),
    (s) => s.status === 'completed' && s.counters.calls.placed === placed,
    { what: `campaign ${campaignId} to complete with ${placed} calls` },
  );
}

/** `+12125550123` as people write it at home: `(212) 555-0123`. */
function national(e164: string): string {
  return `(${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`;
}

describe('a campaign end to end through /v1', () => {
  // Last digits pick the simulated outcome: 1-3 answered, 4 no answer, 5 busy, 7 failed, 8 voicemail, 9 invalid.
  const numbers = numbersEndingIn([1, 2, 3, 4, 5, 7, 8, 9], 101);
  const [answeredNumber, , , noAnswerNumber, busyNumber, , voicemailNumber] = numbers as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  let campaignId: string;

  it('creates, uploads, starts and completes, with counters that match the calls', async () => {
    const created = await api.send('POST', '/v1/campaigns', {
      body: { name: 'end to end', agentId: 'agent-1', callingHours: ALWAYS_OPEN, maxConcurrentCalls: 3 },
    });
    expectStatus(created, 201, 'create');
    const campaign = campaignSchema.parse(created.body);
    campaignId = campaign.id;
    expect(created.headers.get('location')).toBe(`/v1/campaigns/${campaignId}`);
    expect(campaign).toMatchObject({
      name: 'end to end',
      status: 'draft',
      agentId: 'agent-1',
      maxConcurrentCalls: 3,
      callingHours: ALWAYS_OPEN,
      started_at: null,
      counters: { total: 0 },
    });
    expect(campaign.code).toMatch(/^CAMP-\d{4}-\d{3}$/);

    const upload = await api.ok(uploadResultSchema, 'POST', `/v1/campaigns/${campaignId}/contacts`, {
      body: [
        ...numbers.map((phone_number, i) => ({
          phone_number,
          name: `Contact ${i}`,
          custom_data: { row: i },
        })),
        { phone_number: national(answeredNumber) },
        { phone_number: 'call me maybe' },
      ],
    });
    expect(upload).toEqual({
      campaign_id: campaignId,
      uploaded: 8,
      duplicates: 1,
      skipped_dnc: 0,
      scheduled: 0,
      immediate: 8,
      rejected: [
        {
          index: 9,
          field: 'phone_number',
          reason: expect.stringMatching(/letters/) as unknown,
          phone_number: 'call me maybe',
        },
      ],
      total_contacts: 8,
    });

    const started = await api.ok(campaignSchema, 'POST', `/v1/campaigns/${campaignId}/start`);
    expect(started.status).toBe('running');
    expect(started.started_at).not.toBeNull();

    const final = await untilCompleted(campaignId, 8);
    expect(final).toMatchObject({
      campaign_id: campaignId,
      source: 'record',
      live_calls: 0,
      finished_contacts: 8,
      counters: {
        total: 8,
        contacts: { completed: 3, failed: 5, pending: 0, dialing: 0, in_call: 0 },
        calls: { placed: 8, answered: 3, no_answer: 1, busy: 1, failed: 1, voicemail: 1, invalid_number: 1 },
      },
    });
    expect(final.completed_at).not.toBeNull();
    expect(final.estimated_completion_at).toBe(final.completed_at);

    // The counters are the calls GET /calls lists, outcome by outcome.
    const calls = await allCalls(campaignId);
    expect(calls).toHaveLength(final.counters.calls.placed);
    for (const outcome of callOutcomes) {
      expect({ outcome, n: calls.filter((c) => c.outcome === outcome).length }).toEqual({
        outcome,
        n: final.counters.calls[outcome],
      });
    }
    expect(new Set(calls.map((c) => c.phone_number))).toEqual(new Set(numbers));
    expect(calls.every((c) => c.status === 'ended' && c.attempt === 1 && c.provider_call_id)).toBe(true);
    // And they are the calls the carrier placed.
    const ledger = engine.carrier.ledger.calls({ campaignId });
    expect(ledger.map((c) => c.callId).sort()).toEqual(calls.map((c) => c.provider_call_id).sort());

    const fetched = await api.ok(campaignSchema, 'GET', `/v1/campaigns/${campaignId}`);
    expect(fetched).toMatchObject({ status: 'completed', counters: final.counters });
  });

  it('lists and fetches contacts and calls', async () => {
    const completed = await api.ok(
      contactPageSchema,
      'GET',
      `/v1/campaigns/${campaignId}/contacts?status=completed`,
    );
    expect(completed.data).toHaveLength(3);
    expect(completed.data.every((c) => c.last_outcome === 'answered' && c.attempts === 1)).toBe(true);
    const failedOrCompleted = await api.ok(
      contactPageSchema,
      'GET',
      `/v1/campaigns/${campaignId}/contacts?status=failed,completed&limit=5`,
    );
    expect(failedOrCompleted.data).toHaveLength(5);
    expect(failedOrCompleted.page).toEqual({ limit: 5, offset: 0, has_more: true, next_offset: 5 });

    const byPhone = await api.ok(
      contactSchema,
      'GET',
      `/v1/campaigns/${campaignId}/contacts/${encodeURIComponent(national(answeredNumber))}`,
    );
    expect(byPhone).toMatchObject({
      phone_number: answeredNumber,
      name: 'Contact 0',
      custom_data: { row: 0 },
      status: 'completed',
    });
    const byId = await api.ok(contactSchema, 'GET', `/v1/campaigns/${campaignId}/contacts/${byPhone.id}`);
    expect(byId).toEqual(byPhone);

    const call = (await allCalls(campaignId, 100)).find((c) => c.phone_number === answeredNumber) as Call;
    expect(call).toMatchObject({ contact_id: byPhone.id, outcome: 'answered', attempt: 1 });
    expect(byPhone.last_call_id).toBe(call.provider_call_id);
    const callById = await api.ok(
      callSchema,
      'GET',
      `/v1/campaigns/${campaignId}/calls/${encodeURIComponent(call.id)}`,
    );
    const callByProviderId = await api.ok(
      callSchema,
      'GET',
      `/v1/campaigns/${campaignId}/calls/${call.provider_call_id}`,
    );
    expect(callById).toEqual(call);
    expect(callByProviderId).toEqual(call);
    const noAnswer = await api.ok(
      callPageSchema,
      'GET',
      `/v1/campaigns/${campaignId}/calls?outcome=no_answer`,
    );
    expect(noAnswer.data.map((c) => c.phone_number)).toEqual([noAnswerNumber]);

    const missing = await api.fail(
      'GET',
      `/v1/campaigns/${campaignId}/contacts/000000000000000000000000`,
      {},
      404,
    );
    expect(missing.code).toBe('NOT_FOUND');

    const listed = await api.ok(campaignListSchema, 'GET', '/v1/campaigns?status=completed');
    expect(listed.data.map((c) => c.id)).toContain(campaignId);
    const drafts = await api.ok(campaignListSchema, 'GET', '/v1/campaigns?status=draft,running');
    expect(drafts.data.map((c) => c.id)).not.toContain(campaignId);
  });

  it('redials by criteria and by call id, and the completed campaign runs again', async () => {
    const byCriteria = await api.ok(redialResultSchema, 'POST', `/v1/campaigns/${campaignId}/redial`, {
      body: { criteria: { outcomes: ['no_answer', 'busy'] } },
    });
    expect(byCriteria).toMatchObject({ campaign_id: campaignId, considered: 2, scheduled: 2, excluded: {} });
    expect(['running', 'completed']).toContain(byCriteria.campaign_status);
    await untilCompleted(campaignId, 10);

    const calls = await allCalls(campaignId);
    const voicemail = calls.find((c) => c.phone_number === voicemailNumber) as Call;
    const answered = calls.find((c) => c.phone_number === answeredNumber) as Call;
    const byId = await api.ok(redialResultSchema, 'POST', `/v1/campaigns/${campaignId}/redial`, {
      // Our id for one call, the provider's for the other, and one that does not exist.
      body: { call_ids: [answered.id, voicemail.provider_call_id, 'no-such-call'] },
    });
    expect(byId).toMatchObject({ considered: 3, scheduled: 2, excluded: { not_found: 1 } });
    const final = await untilCompleted(campaignId, 12);
    expect(final.counters).toMatchObject({ total: 8, contacts: { completed: 3, failed: 5 } });

    for (const phone of [noAnswerNumber, busyNumber, voicemailNumber, answeredNumber]) {
      const attempts = engine.carrier.ledger
        .calls({ campaignId, to: phone })
        .map((c) => c.attempt)
        .sort();
      expect({ phone, attempts }).toEqual({ phone, attempts: [1, 2] });
    }
    const after = await allCalls(campaignId, 100);
    expect(after).toHaveLength(12);
    expect(
      after
        .filter((c) => c.attempt === 2)
        .map((c) => c.phone_number)
        .sort(),
    ).toEqual([noAnswerNumber, busyNumber, voicemailNumber, answeredNumber].sort());
  });
});
