import {
  campaignStatusSchema,
  contactSchema,
  dncAddResultSchema,
  dncPageSchema,
} from '../../src/api/v1/schemas';
import { launchCampaign } from '../support/campaigns';
import { startEngine, type Engine } from '../support/engine';
import { numbersEndingIn, V1Client, waitFor } from './v1/client';

let engine: Engine;
let api: V1Client;

beforeAll(async () => {
  engine = await startEngine();
  api = new V1Client(engine.apiUrl, engine.apiKey);
});
afterAll(async () => {
  await engine?.stop();
});

/**
 * Redials come three seconds apart: ample time to list a number between two of its calls, and
 * without a list the busy number would be called five times.
 */
const REDIAL = { enabled: true, maxAttempts: 5, retryIntervals: [3] };

const completed = (campaignId: string) =>
  waitFor(
    () => api.ok(campaignStatusSchema, 'GET', `/v1/campaigns/${campaignId}/status`),
    (s) => s.status === 'completed',
    { what: `campaign ${campaignId} to complete` },
  );

/**
 * Waits for the campaign's first call to `phone` and lists the number at once on the list at `path`;
 * returns when the listing took effect.
 */
async function listAfterFirstCall(campaignId: string, phone: string, path: string): Promise<number> {
  await waitFor(
    () => Promise.resolve(engine.carrier.ledger.calls({ campaignId, to: phone })),
    (calls) => calls.length > 0,
    { intervalMs: 50, what: `the first call to ${phone}` },
  );
  const added = await api.ok(dncAddResultSchema, 'POST', path, { body: { phone_numbers: [phone] } });
  expect(added).toEqual({ added: 1, already_listed: 0, rejected: [] });
  return Date.now();
}

/** The carrier's calls to `phone` in `campaignId`, split at `listedAt`. */
function callsAround(campaignId: string, phone: string, listedAt: number) {
  const calls = engine.carrier.ledger.calls({ campaignId, to: phone });
  return {
    before: calls.filter((c) => Date.parse(c.requestedAt) <= listedAt).length,
    after: calls.filter((c) => Date.parse(c.requestedAt) > listedAt).map((c) => c.requestedAt),
  };
}

describe('a number put on a do-not-call list while its campaign runs', () => {
  it('is not called again once on the account list', async () => {
    const [busy, other] = numbersEndingIn([5, 1], 401) as [string, string];
    const campaignId = await launchCampaign(engine, { redialConfig: REDIAL }, [
      { phone_number: busy },
      { phone_number: other },
    ]);

    const listedAt = await listAfterFirstCall(campaignId, busy, '/v1/dnc');
    const final = await completed(campaignId);

    expect(callsAround(campaignId, busy, listedAt)).toEqual({ before: 1, after: [] });
    expect(engine.carrier.ledger.calls({ campaignId, to: other })).toHaveLength(1);
    const contact = await api.ok(
      contactSchema,
      'GET',
      `/v1/campaigns/${campaignId}/contacts/${encodeURIComponent(busy)}`,
    );
    expect(contact).toMatchObject({
      status: 'skipped_dnc',
      end_reason: 'dnc',
      attempts: 1,
      last_outcome: 'busy',
    });
    expect(final.counters).toMatchObject({
      contacts: { skipped_dnc: 1, completed: 1 },
      calls: { placed: 2, busy: 1, answered: 1 },
    });
  });

  it("is not called again once on the campaign's own list, and other campaigns still call it", async () => {
    const [busy] = numbersEndingIn([5], 402) as [string];
    const blocking = await launchCampaign(engine, { redialConfig: REDIAL }, [{ phone_number: busy }]);
    const open = await launchCampaign(engine, { redialConfig: { ...REDIAL, maxAttempts: 2 } }, [
      { phone_number: busy },
    ]);

    const listedAt = await listAfterFirstCall(blocking, busy, `/v1/campaigns/${blocking}/dnc`);
    await completed(blocking);
    await completed(open);

    expect(callsAround(blocking, busy, listedAt)).toEqual({ before: 1, after: [] });
    const contact = await api.ok(
      contactSchema,
      'GET',
      `/v1/campaigns/${blocking}/contacts/${encodeURIComponent(busy)}`,
    );
    expect(contact).toMatchObject({ status: 'skipped_dnc', end_reason: 'dnc', attempts: 1 });
    expect(engine.carrier.ledger.calls({ campaignId: open, to: busy })).toHaveLength(2);
    const accountList = await api.ok(dncPageSchema, 'GET', '/v1/dnc?limit=100');
    expect(accountList.data.map((e) => e.phone_number)).not.toContain(busy);
  });
});

describe('a call outcome that carries an opt-out', () => {
  it("puts the number on the account's list", async () => {
    const [zero, simulated, plain] = numbersEndingIn([0, 1, 2], 403) as [string, string, string];
    // The carrier opts out a callee whose number ends in 00, or one whose context asks for it.
    const endingIn00 = `${zero.slice(0, -2)}00`;
    const campaignId = await launchCampaign(engine, { isContextBasedCall: true }, [
      { phone_number: endingIn00 },
      { phone_number: simulated, custom_data: { simulate: { optOut: true } } },
      { phone_number: plain },
    ]);
    const final = await completed(campaignId);
    expect(final.counters).toMatchObject({ contacts: { completed: 3 }, calls: { answered: 3 } });

    const listed = await api.ok(dncPageSchema, 'GET', '/v1/dnc?limit=100');
    const ours = listed.data.filter((e) => [endingIn00, simulated, plain].includes(e.phone_number));
    expect(ours.sort((a, b) => a.phone_number.localeCompare(b.phone_number))).toEqual(
      [endingIn00, simulated].sort().map((phone_number) => ({
        phone_number,
        campaign_id: null,
        source: 'opt_out',
        reason: expect.stringMatching(/^opted out on call /) as unknown,
        created_at: expect.any(String) as unknown,
      })),
    );
  });
});
