import { randomUUID } from 'node:crypto';
import {
  callPageSchema,
  campaignSchema,
  contactPageSchema,
  contactSchema,
  uploadResultSchema,
} from '../../src/api/v1/schemas';
import { weekdays } from '../../src/domain/calling-window';
import { CallPacer, PacedDialer } from '../../src/dialers/paced';
import { DialerError, WindowClosedError, type Dialer, type PlaceCallRequest } from '../../src/dialers/types';
import { startEngine, type Engine } from '../support/engine';
import { numbersEndingIn, V1Client, waitFor } from './v1/client';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** A provider that is down: every request fails as one worth retrying. Records when each came. */
class DownDialer implements Dialer {
  readonly name = 'down';
  readonly requests: number[] = [];

  placeCall(): Promise<never> {
    this.requests.push(Date.now());
    return Promise.reject(new DialerError('down: connection refused', { retryable: true }));
  }
}

describe('no call goes out after the calling window closes, however late the dial runs', () => {
  const down = new DownDialer();
  let engine: Engine;
  let api: V1Client;

  beforeAll(async () => {
    engine = await startEngine({ wrapDialer: () => down });
    api = new V1Client(engine.apiUrl, engine.apiKey);
  });
  afterAll(async () => {
    await engine?.stop();
  });

  it('stops retrying a dial at the close, and keeps the attempt for the next window', async () => {
    // A window that closes at the next minute, 15 to 60 s away. The dial's retries (after 1, 2, 4,
    // 8, 16, 20 and 20 s: its 8th try some 71 s after the first) outlast it.
    if (new Date().getUTCSeconds() > 45) {
      await new Promise((resolve) => setTimeout(resolve, MINUTE_MS - (Date.now() % MINUTE_MS) + 100));
    }
    const closesAt = Math.ceil(Date.now() / MINUTE_MS) * MINUTE_MS;
    const close = new Date(closesAt);
    const end = closesAt % DAY_MS === 0 ? '24:00' : close.toISOString().slice(11, 16);
    const today = weekdays[(new Date(closesAt - 1).getUTCDay() + 6) % 7]!;
    const campaign = await api.ok(
      campaignSchema,
      'POST',
      '/v1/campaigns',
      {
        body: {
          name: 'window closes mid-dial',
          agentId: 'agent-1',
          callingHours: { timezone: 'UTC', days: [{ day: today, start: '00:00', end }] },
        },
      },
      201,
    );
    const [phone] = numbersEndingIn([1], 301);
    await api.ok(uploadResultSchema, 'POST', `/v1/campaigns/${campaign.id}/contacts`, {
      body: [{ phone_number: phone }],
    });
    await api.ok(campaignSchema, 'POST', `/v1/campaigns/${campaign.id}/start`);
    const [listed] = (await api.ok(contactPageSchema, 'GET', `/v1/campaigns/${campaign.id}/contacts`)).data;

    // Asked no earlier than the first retry after the close: a query reaching a contact while its
    // dial (a local activity) is being retried fails in the SDK, and the API answers from the record.
    await new Promise((resolve) => setTimeout(resolve, closesAt + 21_000 - Date.now()));
    const contact = await waitFor(
      () => api.ok(contactSchema, 'GET', `/v1/campaigns/${campaign.id}/contacts/${listed!.id}`),
      (c) => c.status === 'waiting_window' || c.status === 'failed',
      { what: 'the contact to give up its dial at the close', timeoutMs: 150_000, intervalMs: 1000 },
    );
    expect(down.requests.length).toBeGreaterThan(0);
    expect(down.requests.filter((at) => at >= closesAt)).toEqual([]);
    // Not an attempt spent: it is made when the window opens again a week on, under the same key.
    const reopensAt = Math.floor((closesAt - 1) / DAY_MS) * DAY_MS + 7 * DAY_MS;
    expect(contact).toMatchObject({
      status: 'waiting_window',
      attempts: 0,
      next_attempt_at: new Date(reopensAt).toISOString(),
    });
    const [before] = (await api.ok(callPageSchema, 'GET', `/v1/campaigns/${campaign.id}/calls`)).data;
    expect(before).toMatchObject({ attempt: 1, status: 'placing', provider_call_id: null });

    // Cancelled before the next window, the contact ends without that attempt: its record says so.
    await api.ok(campaignSchema, 'POST', `/v1/campaigns/${campaign.id}/cancel`);
    await waitFor(
      () => api.ok(contactSchema, 'GET', `/v1/campaigns/${campaign.id}/contacts/${listed!.id}`),
      (c) => c.status === 'cancelled',
      { what: 'the contact to end cancelled', timeoutMs: 60_000 },
    );
    const calls = (await api.ok(callPageSchema, 'GET', `/v1/campaigns/${campaign.id}/calls`)).data;
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      id: before!.id,
      status: 'not_placed',
      outcome: null,
      reason: 'campaign_cancelled',
      provider_call_id: null,
    });
    expect(calls[0]?.ended_at).not.toBeNull();
  }, 300_000);

  it('ends only a call record that is still placing when its contact ends without the attempt', async () => {
    const record = (key: string) => ({
      _id: key,
      campaignId: `c-${key}`,
      contactId: 'k',
      accountId: 'a',
      attempt: 1,
      phone: '+12125550101',
      status: 'placing' as const,
      createdAt: new Date(),
    });
    const [unsent, sent] = [randomUUID(), randomUUID()];
    await engine.store.beginCall(record(unsent));
    await engine.store.beginCall(record(sent));
    await engine.store.updateCall(sent, { status: 'placed', callId: 'provider-1' });
    const endedAt = new Date();
    await engine.store.abandonCall(unsent, 'campaign_cancelled', endedAt);
    await engine.store.abandonCall(sent, 'campaign_cancelled', endedAt);
    expect(await engine.store.getCall(unsent)).toMatchObject({
      status: 'not_placed',
      reason: 'campaign_cancelled',
      endedAt,
    });
    const untouched = await engine.store.getCall(sent);
    expect(untouched).toMatchObject({ status: 'placed', callId: 'provider-1' });
    expect(untouched?.reason).toBeUndefined();
  });

  it('sends nothing when the window closes while the dial waits for its turn under a cap', async () => {
    const sent: PlaceCallRequest[] = [];
    const provider: Dialer = {
      name: 'provider',
      placeCall: (req) => {
        sent.push(req);
        return Promise.resolve({ callId: randomUUID(), duplicate: false });
      },
    };
    // One call a second: the second request waits a second for its turn.
    const paced = new PacedDialer(
      provider,
      new CallPacer(engine.store.dialPacing, `pace-${randomUUID()}`, 1),
    );
    const request = (key: string): PlaceCallRequest => ({
      idempotencyKey: key,
      to: '+12125550101',
      context: {},
      callbackUrl: 'http://127.0.0.1:1/webhooks/calls',
      metadata: { workflowId: 'w', campaignId: 'c', contactId: 'k', accountId: 'a', attempt: 1 },
    });
    await paced.placeCall(request('first'), { notAfter: Date.now() + MINUTE_MS });
    await expect(paced.placeCall(request('second'), { notAfter: Date.now() + 200 })).rejects.toBeInstanceOf(
      WindowClosedError,
    );
    expect(sent.map((r) => r.idempotencyKey)).toEqual(['first']);
  });
});
