import { campaignWorkflowId, contactWorkflowId } from '../../src/domain/ids';
import type { CallbackEvent } from '../../src/dialers/protocol';
import { signPayload } from '../../src/dialers/signature';
import type { CampaignResult } from '../../workflows/campaign';
import { launchCampaign } from '../support/campaigns';
import { startEngine, TEST_SECRET, type Engine } from '../support/engine';
import { numbersEndingIn, waitFor } from './v1/client';

let engine: Engine;

beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => {
  await engine?.stop();
});

async function postCallback(event: CallbackEvent): Promise<number> {
  return (await answerTo(event)).status;
}

async function answerTo(event: CallbackEvent): Promise<{ status: number; body: unknown }> {
  const body = JSON.stringify(event);
  const res = await fetch(`${engine.apiUrl}/webhooks/calls`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signPayload(TEST_SECRET, body, Date.now()) },
    body,
  });
  return { status: res.status, body: await res.json() };
}

/**
 * A provider retries a callback whose answer it did not get (our API slow, Temporal restarting),
 * so the same event can arrive more than once. Only the first of each kind may count: a second
 * `in_progress` once read as the call's end, recorded an answered call as failed and redialed it.
 */
describe('repeated callbacks for one call', () => {
  it('records the call answered once and never redials it', async () => {
    const [phone] = numbersEndingIn([1], 71);
    const campaignId = await launchCampaign(
      engine,
      { isContextBasedCall: true, redialConfig: { enabled: true, maxAttempts: 3, retryIntervals: [1] } },
      [{ phone_number: phone!, custom_data: { simulate: { noCallback: true } } }],
    );
    const [call] = await waitFor(
      () => Promise.resolve(engine.carrier.ledger.calls({ campaignId })),
      (calls) => calls.length === 1,
      { what: 'the first call' },
    );
    const common = {
      callId: call!.callId,
      idempotencyKey: call!.idempotencyKey,
      metadata: {
        workflowId: contactWorkflowId(campaignId, call!.contactId),
        campaignId,
        contactId: call!.contactId,
        accountId: engine.accountId,
        attempt: 1,
      },
    };
    const inProgress = (): CallbackEvent => ({
      ...common,
      event: 'in_progress',
      occurredAt: new Date().toISOString(),
    });
    const completed = (): CallbackEvent => ({
      ...common,
      event: 'completed',
      occurredAt: new Date().toISOString(),
      outcome: 'answered',
      durationS: 42,
      optOut: false,
    });
    for (const event of [inProgress(), inProgress(), inProgress(), completed(), completed()]) {
      expect(await postCallback(event)).toBe(200);
    }

    const result = (await engine.client.workflow
      .getHandle(campaignWorkflowId(campaignId))
      .result()) as CampaignResult;
    expect(result.counters.contacts).toMatchObject({ completed: 1, failed: 0 });
    expect(result.counters.calls).toMatchObject({ placed: 1, answered: 1, failed: 0 });
    const calls = await engine.store.calls.find({ campaignId }).toArray();
    expect(calls.map((c) => [c.attempt, c.outcome])).toEqual([[1, 'answered']]);
    expect(engine.carrier.ledger.calls({ campaignId })).toHaveLength(1);
  });
});

/**
 * Our dialer puts a token in each call's metadata, a MAC over the call's key and metadata, which
 * the provider echoes: the webhook knows the call as ours by it, without reading the call's record.
 */
describe("callbacks carrying the call's token", () => {
  it('are taken by the token alone, and refused when the token does not fit the call they name', async () => {
    const [phone] = numbersEndingIn([1], 72);
    const campaignId = await launchCampaign(
      engine,
      { isContextBasedCall: true, redialConfig: { enabled: false } },
      [{ phone_number: phone!, custom_data: { simulate: { noCallback: true } } }],
    );
    const [call] = await waitFor(
      () => Promise.resolve(engine.carrier.ledger.calls({ campaignId })),
      (calls) => calls.length === 1,
      { what: 'the call' },
    );
    const key = call!.idempotencyKey;
    const { metadata } = engine.carrier.ledger.findByKey(key)!;
    expect(metadata.token).toEqual(expect.any(String));
    // Without its record, only the token can tell the webhook this call is ours.
    expect((await engine.store.calls.deleteOne({ _id: key })).deletedCount).toBe(1);

    const completed = (over: Partial<CallbackEvent['metadata']>): CallbackEvent => ({
      callId: call!.callId,
      idempotencyKey: key,
      metadata: { ...metadata, ...over },
      event: 'completed',
      occurredAt: new Date().toISOString(),
      outcome: 'busy',
    });
    const unknown = {
      status: 404,
      body: { error: { code: 'UNKNOWN_CALL', message: 'no call was placed with that key' } },
    };
    expect(await answerTo(completed({ attempt: 2 }))).toEqual(unknown);
    expect(await answerTo(completed({ contactId: 'another-contact' }))).toEqual(unknown);
    expect(
      await answerTo(completed({ token: metadata.token!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) })),
    ).toEqual(unknown);
    expect(await answerTo(completed({ token: undefined }))).toEqual(unknown);

    expect(await answerTo({ ...completed({}), outcome: 'answered', durationS: 7 })).toEqual({
      status: 200,
      body: { status: 'accepted' },
    });
    const result = (await engine.client.workflow
      .getHandle(campaignWorkflowId(campaignId))
      .result()) as CampaignResult;
    expect(result.counters.calls).toMatchObject({ placed: 1, answered: 1, busy: 0 });
  });
});
