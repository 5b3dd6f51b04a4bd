import { join } from 'node:path';
import { durationFor } from '../../../src/carrier/outcomes';
import type { CallView, LedgerStats } from '../../../src/carrier/ledger';
import { HttpVoiceAgentDialer } from '../../../src/dialers/http';
import { signPayload } from '../../../src/dialers/signature';
import {
  callRequest,
  events,
  makeTempDir,
  secret,
  startCarrier,
  startReceiver,
  useCleanup,
  waitFor,
  type Receiver,
} from './fixtures';

jest.setTimeout(15_000);

const cleanup = useCleanup();

async function setup(
  options: { simCallMs?: number; respond?: Parameters<typeof startReceiver>[1]; attempts?: number } = {},
) {
  const receiver = await startReceiver(cleanup, options.respond);
  const ledgerPath = join(makeTempDir(cleanup), 'ledger.jsonl');
  const carrier = await startCarrier(cleanup, {
    ledgerPath,
    simCallMs: options.simCallMs ?? 0,
    callbackRetry:
      options.attempts === undefined ? undefined : { attempts: options.attempts, initialDelayMs: 10 },
  });
  const dialer = new HttpVoiceAgentDialer({ baseUrl: carrier.url, secret });
  return { receiver, carrier, dialer, ledgerPath };
}

function allSigned(receiver: Receiver): boolean {
  return receiver.hits.every((hit) => hit.signatureValid && hit.event !== undefined);
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function postCalls(url: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${url}/calls`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signPayload(secret, body, Date.now()), ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('carrier callbacks with no call time', () => {
  it('calls back in_progress then completed for an answered call, signed, before answering the dial', async () => {
    const { receiver, carrier, dialer } = await setup();
    const req = callRequest(receiver.url, { to: '+14155550102' });
    const before = Date.now();
    const { callId } = await dialer.placeCall(req);

    expect(events(receiver)).toEqual(['in_progress', 'completed']);
    expect(allSigned(receiver)).toBe(true);
    const completed = receiver.hits[1]?.event;
    expect(completed).toMatchObject({
      callId,
      idempotencyKey: req.idempotencyKey,
      event: 'completed',
      outcome: 'answered',
      durationS: durationFor(req.idempotencyKey, 'answered'),
      optOut: false,
      metadata: req.metadata,
    });
    expect(completed?.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(completed?.occurredAt ?? '')).toBeGreaterThanOrEqual(before);
    expect(receiver.hits[0]?.event).toMatchObject({ callId, event: 'in_progress', metadata: req.metadata });
    expect(carrier.ledger.stats()).toMatchObject({ callsPlaced: 1, callbacksDelivered: 2, liveCalls: 0 });
  });

  it('sends only completed, with no talk time, for calls nobody answered', async () => {
    const { receiver, dialer } = await setup();
    await dialer.placeCall(callRequest(receiver.url, { to: '+14155550105' }));
    await dialer.placeCall(callRequest(receiver.url, { to: '+14155550109' }));
    expect(receiver.hits.map((hit) => [hit.event?.event, hit.event?.outcome, hit.event?.durationS])).toEqual([
      ['completed', 'busy', 0],
      ['completed', 'invalid_number', 0],
    ]);
  });

  it('applies context.simulate and the 00 opt-out', async () => {
    const { receiver, dialer } = await setup();
    await dialer.placeCall(
      callRequest(receiver.url, { to: '+14155550101', context: { simulate: { outcome: 'voicemail' } } }),
    );
    await dialer.placeCall(callRequest(receiver.url, { to: '+14155550100' }));
    const completed = receiver.hits.filter((hit) => hit.event?.event === 'completed').map((hit) => hit.event);
    expect(completed.map((event) => [event?.outcome, event?.optOut])).toEqual([
      ['voicemail', false],
      ['answered', true],
    ]);
  });

  it('takes a simulate override from the contact data the engine forwards as context.custom_data', async () => {
    const { receiver, dialer } = await setup();
    await dialer.placeCall(
      callRequest(receiver.url, {
        to: '+14155550101',
        context: { custom_data: { company: 'Acme', simulate: { outcome: 'busy' } } },
      }),
    );
    const completed = receiver.hits.filter((hit) => hit.event?.event === 'completed').map((hit) => hit.event);
    expect(completed.map((event) => event?.outcome)).toEqual(['busy']);
  });

  it('retries a callback the receiver answered 503, re-signing the same event', async () => {
    const { receiver, carrier, dialer } = await setup({
      respond: (_event, hitNo) => (hitNo === 1 ? 503 : 200),
    });
    await dialer.placeCall(callRequest(receiver.url, { to: '+14155550105' }));

    expect(receiver.hits.map((hit) => hit.answeredWith)).toEqual([503, 200]);
    expect(allSigned(receiver)).toBe(true);
    const [first, second] = receiver.hits;
    expect(second?.event).toEqual(first?.event);
    expect(second?.headers['x-signature-timestamp']).not.toBe(first?.headers['x-signature-timestamp']);
    expect((second?.receivedAtMs ?? 0) - (first?.receivedAtMs ?? 0)).toBeGreaterThanOrEqual(90);
    expect(carrier.ledger.stats()).toMatchObject({ callbacksDelivered: 1, callbacksFailed: 0, liveCalls: 0 });
  });

  it('stops at a 404 and records the callback as failed', async () => {
    const { receiver, carrier, dialer } = await setup({ respond: () => 404 });
    await dialer.placeCall(callRequest(receiver.url, { to: '+14155550105' }));

    expect(receiver.hits).toHaveLength(1);
    expect(carrier.ledger.stats()).toMatchObject({ callbacksDelivered: 0, callbacksFailed: 1, liveCalls: 0 });
    expect(carrier.ledger.calls()[0]).toMatchObject({ status: 'completed', finalCallback: 'failed' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.hits).toHaveLength(1);
  });

  it('gives up after its last try on a receiver that keeps failing', async () => {
    const { receiver, carrier, dialer } = await setup({ respond: () => 500, attempts: 3 });
    await dialer.placeCall(callRequest(receiver.url, { to: '+14155550105' }));
    expect(receiver.hits).toHaveLength(3);
    expect(carrier.ledger.stats()).toMatchObject({ callbacksFailed: 1, liveCalls: 0 });
  });

  it('ends a call told not to call back without sending anything', async () => {
    const { receiver, carrier, dialer } = await setup();
    await dialer.placeCall(callRequest(receiver.url, { context: { simulate: { noCallback: true } } }));
    expect(receiver.hits).toHaveLength(0);
    expect(carrier.ledger.calls()[0]).toMatchObject({ finalCallback: 'skipped', status: 'completed' });
    expect(carrier.ledger.stats().liveCalls).toBe(0);
  });
});

describe('carrier callbacks with call time', () => {
  it('answers the dial first, then calls back halfway and at the end', async () => {
    const { receiver, carrier, dialer } = await setup({ simCallMs: 5_000 });
    const req = callRequest(receiver.url, { to: '+14155550101', context: { simulate: { delayMs: 400 } } });
    await dialer.placeCall(req);
    expect(receiver.hits).toHaveLength(0);
    expect(carrier.ledger.stats().liveCalls).toBe(1);

    await waitFor(() => receiver.hits.length === 2, 4000, 'two callbacks');
    const requestedAtMs = carrier.ledger.findByKey(req.idempotencyKey)?.requestedAtMs ?? 0;
    const [inProgress, completed] = receiver.hits;
    expect(events(receiver)).toEqual(['in_progress', 'completed']);
    expect((inProgress?.receivedAtMs ?? 0) - requestedAtMs).toBeGreaterThanOrEqual(195);
    expect((inProgress?.receivedAtMs ?? 0) - requestedAtMs).toBeLessThan(390);
    expect((completed?.receivedAtMs ?? 0) - requestedAtMs).toBeGreaterThanOrEqual(395);
    await waitFor(() => carrier.ledger.stats().liveCalls === 0, 1000, 'the call to end');
  });

  it('counts concurrent calls and one-second bursts per campaign', async () => {
    const { receiver, carrier, dialer } = await setup({ simCallMs: 300 });
    await Promise.all([
      ...Array.from({ length: 5 }, () => dialer.placeCall(callRequest(receiver.url, { campaignId: 'A' }))),
      ...Array.from({ length: 2 }, () => dialer.placeCall(callRequest(receiver.url, { campaignId: 'B' }))),
    ]);
    await waitFor(() => carrier.ledger.stats().liveCalls === 0, 4000, 'all calls to end');
    const stats = await getJson<LedgerStats>(`${carrier.url}/ledger/stats`);
    expect(stats).toMatchObject({
      callsPlaced: 7,
      callbacksDelivered: 14,
      peakConcurrent: 7,
      maxCallsPerSecond: 7,
      peakConcurrentByCampaign: { A: 5, B: 2 },
      maxCallsPerSecondByCampaign: { A: 5, B: 2 },
    });
  });
});

describe('carrier HTTP surface', () => {
  it('serves health, per-campaign stats and call records filtered by campaign and number', async () => {
    const { receiver, carrier, dialer } = await setup();
    const first = callRequest(receiver.url, { campaignId: 'A', to: '+14155550105' });
    await dialer.placeCall(first);
    await dialer.placeCall(first);
    await dialer.placeCall(callRequest(receiver.url, { campaignId: 'A', to: '+14155550101' }));
    await dialer.placeCall(callRequest(receiver.url, { campaignId: 'B', to: '+14155550105' }));

    expect(await getJson(`${carrier.url}/healthz`)).toEqual({ ok: true });
    expect(await getJson(`${carrier.url}/ledger/stats?campaignId=A`)).toMatchObject({
      campaignId: 'A',
      callsPlaced: 2,
      duplicatesRefused: 1,
      liveCalls: 0,
    });
    for (const to of ['%2B14155550105', '+14155550105']) {
      const { calls } = await getJson<{ calls: CallView[] }>(
        `${carrier.url}/ledger/calls?campaignId=A&to=${to}`,
      );
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({
        idempotencyKey: first.idempotencyKey,
        to: first.to,
        campaignId: 'A',
        contactId: first.metadata.contactId,
        attempt: 1,
        outcome: 'busy',
      });
      expect(calls[0]?.requestedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(calls[0]?.completedAt).toMatch(/\.\d{3}Z$/);
    }
    const all = await getJson<{ calls: CallView[] }>(`${carrier.url}/ledger/calls`);
    expect(all.calls).toHaveLength(3);
    expect((await fetch(`${carrier.url}/nowhere`)).status).toBe(404);
  });

  it('rejects a key header that differs from the body, a bad simulate and non-JSON, placing nothing', async () => {
    const { receiver, carrier } = await setup();
    const req = callRequest(receiver.url);
    const body = JSON.stringify(req);

    const mismatch = await postCalls(carrier.url, body, { 'idempotency-key': 'other:1' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body).toMatchObject({
      error: 'invalid call request',
      issues: [{ path: 'idempotencyKey' }],
    });
    expect((await postCalls(carrier.url, body, {})).status).toBe(400);

    const badSimulate = JSON.stringify({ ...req, context: { simulate: { outcome: 'exploded' } } });
    const simulated = await postCalls(carrier.url, badSimulate, { 'idempotency-key': req.idempotencyKey });
    expect(simulated.status).toBe(400);
    expect(simulated.body).toMatchObject({ issues: [{ path: 'context.simulate.outcome' }] });

    expect((await postCalls(carrier.url, '{"idempotencyKey":', {})).body).toEqual({
      error: 'body is not JSON',
      issues: [],
    });
    expect(carrier.ledger.stats().callsPlaced).toBe(0);
  });
});

describe('carrier start-up', () => {
  it('rejects when its port is taken, leaving its ledger usable by the next start', async () => {
    const { carrier } = await setup();
    const ledgerPath = join(makeTempDir(cleanup), 'second.jsonl');
    await expect(startCarrier(cleanup, { ledgerPath, port: carrier.port })).rejects.toThrow(/EADDRINUSE/);
    const retried = await startCarrier(cleanup, { ledgerPath });
    expect(retried.port).not.toBe(carrier.port);
    expect(retried.ledger.stats().callsPlaced).toBe(0);
  });
});

describe('carrier restart', () => {
  it('keeps dedupe and promptly resumes the callbacks a closed carrier still owed', async () => {
    const { receiver, carrier, dialer, ledgerPath } = await setup({ simCallMs: 60_000 });
    const answered = callRequest(receiver.url, { to: '+14155550101' });
    const busy = callRequest(receiver.url, { to: '+14155550105' });
    const answeredCall = await dialer.placeCall(answered);
    const busyCall = await dialer.placeCall(busy);
    await carrier.close();
    expect(receiver.hits).toHaveLength(0);

    const restarted = await startCarrier(cleanup, { ledgerPath, simCallMs: 60_000 });
    await waitFor(() => receiver.hits.length === 3, 2000, 'resumed callbacks');
    expect(allSigned(receiver)).toBe(true);
    const byCall = (callId: string) => receiver.hits.filter((hit) => hit.event?.callId === callId);
    expect(byCall(answeredCall.callId).map((hit) => hit.event?.event)).toEqual(['in_progress', 'completed']);
    expect(byCall(busyCall.callId).map((hit) => [hit.event?.event, hit.event?.outcome])).toEqual([
      ['completed', 'busy'],
    ]);

    const again = await new HttpVoiceAgentDialer({ baseUrl: restarted.url, secret }).placeCall(answered);
    expect(again).toEqual({ callId: answeredCall.callId, duplicate: true });
    await waitFor(() => restarted.ledger.stats().liveCalls === 0, 1000, 'the calls to end');
    expect(restarted.ledger.stats()).toMatchObject({
      callsPlaced: 2,
      duplicatesRefused: 1,
      callbacksDelivered: 3,
    });
  });
});
