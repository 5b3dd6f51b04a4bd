import {
  callPageSchema,
  campaignListSchema,
  campaignSchema,
  dncAddResultSchema,
  dncPageSchema,
  uploadResultSchema,
} from '../../../src/api/v1/schemas';
import { ALWAYS_OPEN } from '../../support/campaigns';
import { startEngine, type Engine } from '../../support/engine';
import { expectStatus, numbersEndingIn, V1Client } from './client';

let engine: Engine;
let api: V1Client;
let stranger: V1Client;

beforeAll(async () => {
  // A small body limit, so that the 413 needs no large request.
  engine = await startEngine({ env: { BODY_LIMIT: '64kb' } });
  api = new V1Client(engine.apiUrl, engine.apiKey);
  stranger = new V1Client(engine.apiUrl, (await engine.newAccount('stranger')).apiKey);
});
afterAll(async () => {
  await engine?.stop();
});

const settings = { name: 'contract', agentId: 'agent-1', callingHours: ALWAYS_OPEN };

async function createCampaign(client = api, body: Record<string, unknown> = settings): Promise<string> {
  return (await client.ok(campaignSchema, 'POST', '/v1/campaigns', { body }, 201)).id;
}

describe('authentication and accounts', () => {
  it('answers 401 without a key or with an unknown one', async () => {
    const missing = await api.fail('GET', '/v1/campaigns', { key: null }, 401);
    expect(missing).toEqual({
      code: 'UNAUTHORIZED',
      message: expect.stringMatching(/Missing API key/) as unknown,
    });
    const wrong = await api.fail('POST', '/v1/campaigns', { key: 'ce_not_a_key', body: settings }, 401);
    expect(wrong).toEqual({ code: 'UNAUTHORIZED', message: 'Invalid API key' });
  });

  it("answers 404, never 403, for another account's campaign on every campaign route", async () => {
    const id = await createCampaign();
    const { apiKey } = await engine.newAccount('other');
    const other = new V1Client(engine.apiUrl, apiKey);
    const attempts: [method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown][] = [
      ['GET', `/v1/campaigns/${id}`],
      ['GET', `/v1/campaigns/${id}/status`],
      ['POST', `/v1/campaigns/${id}/start`],
      ['POST', `/v1/campaigns/${id}/pause`],
      ['POST', `/v1/campaigns/${id}/resume`],
      ['POST', `/v1/campaigns/${id}/cancel`],
      ['POST', `/v1/campaigns/${id}/contacts`, [{ phone_number: numbersEndingIn([1], 401)[0] }]],
      ['GET', `/v1/campaigns/${id}/contacts`],
      ['GET', `/v1/campaigns/${id}/contacts/000000000000000000000000`],
      ['GET', `/v1/campaigns/${id}/calls`],
      ['GET', `/v1/campaigns/${id}/calls/some-call`],
      ['POST', `/v1/campaigns/${id}/redial`, { criteria: { outcomes: ['no_answer'] } }],
      ['GET', `/v1/campaigns/${id}/dnc`],
      ['POST', `/v1/campaigns/${id}/dnc`, { phone_numbers: ['+12125550123'] }],
      ['DELETE', `/v1/campaigns/${id}/dnc/%2B12125550123`],
      ['DELETE', `/v1/campaigns/${id}`],
    ];
    for (const [method, path, body] of attempts) {
      const error = await other.fail(method, path, body === undefined ? {} : { body }, 404);
      expect({ method, path, code: error.code }).toEqual({ method, path, code: 'NOT_FOUND' });
    }
    // Untouched by all of that.
    const campaign = await api.ok(campaignSchema, 'GET', `/v1/campaigns/${id}`);
    expect(campaign).toMatchObject({ status: 'draft', counters: { total: 0 } });
    expect((await other.ok(campaignListSchema, 'GET', '/v1/campaigns')).data).toEqual([]);
  });

  it("keeps each account's do-not-call list to itself", async () => {
    const [number] = numbersEndingIn([2], 402) as [string];
    await api.ok(dncAddResultSchema, 'POST', '/v1/dnc', { body: { phone_numbers: [number] } });
    const { apiKey } = await engine.newAccount('third');
    const third = new V1Client(engine.apiUrl, apiKey);
    expect((await third.ok(dncPageSchema, 'GET', '/v1/dnc')).data).toEqual([]);
    await third.fail('DELETE', `/v1/dnc/${encodeURIComponent(number)}`, {}, 404);
    const mine = await api.ok(dncPageSchema, 'GET', '/v1/dnc?limit=100');
    expect(mine.data.map((e) => e.phone_number)).toContain(number);
  });
});

describe('validation', () => {
  it('names every field that is wrong, and what is wrong with it', async () => {
    const error = await api.fail(
      'POST',
      '/v1/campaigns',
      {
        body: {
          maxConcurrentCalls: 0,
          callingHours: { timezone: 'Mars/Olympus', days: [{ day: 'funday', start: '25:00', end: '09:00' }] },
          redialConfig: { enabled: 'yes', retryOn: ['answered'] },
          colour: 'blue',
        },
      },
      400,
    );
    expect(error.code).toBe('VALIDATION_ERROR');
    const byPath = new Map(error.issues?.map((i) => [i.path, i.message]));
    expect(Object.fromEntries(byPath)).toEqual({
      name: 'is required',
      maxConcurrentCalls: 'must be at least 1',
      'callingHours.timezone': 'unknown IANA time zone "Mars/Olympus"',
      'callingHours.days.0.day': expect.stringMatching(/^unknown day "funday"/) as unknown,
      'callingHours.days.0.start': expect.stringMatching(/^start must be a 24-hour time/) as unknown,
      'redialConfig.enabled': 'must be true or false',
      'redialConfig.retryOn.0': expect.stringMatching(/^cannot retry "answered"/) as unknown,
      colour: 'is not a known field',
    });
    expect(error.message).toMatch(/name/);
  });

  it('checks query parameters', async () => {
    const error = await api.fail('GET', '/v1/campaigns?limit=0&offset=-1&status=running,bogus', {}, 400);
    expect(error.issues).toEqual([
      { path: 'limit', message: 'must be at least 1' },
      { path: 'offset', message: 'must be at least 0' },
      { path: 'status.1', message: expect.stringMatching(/^unknown status "bogus": use draft, /) as unknown },
    ]);
    const notNumber = await api.fail('GET', '/v1/dnc?limit=ten', {}, 400);
    expect(notNumber.issues).toEqual([{ path: 'limit', message: 'must be a number' }]);
    const tooMany = await api.fail('GET', '/v1/dnc?limit=101', {}, 400);
    expect(tooMany.issues).toEqual([{ path: 'limit', message: 'must be at most 100' }]);
  });

  it('pages lists with limit and offset', async () => {
    const ids = [await createCampaign(), await createCampaign(), await createCampaign()];
    const first = await api.ok(campaignListSchema, 'GET', '/v1/campaigns?limit=2');
    expect(first.data).toHaveLength(2);
    expect(first.page).toEqual({ limit: 2, offset: 0, has_more: true, next_offset: 2 });
    const second = await api.ok(
      campaignListSchema,
      'GET',
      `/v1/campaigns?limit=2&offset=${first.page.next_offset}`,
    );
    const seen = [...first.data, ...second.data].map((c) => c.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(ids));
    // Newest first.
    const created = [...first.data, ...second.data].map((c) => Date.parse(c.created_at));
    expect(created).toEqual([...created].sort((a, b) => b - a));
  });

  it('takes the valid contacts of an upload and names the field and reason of each rejected one', async () => {
    const id = await createCampaign();
    const [good, other] = numbersEndingIn([1, 2], 403) as [string, string];
    const result = await api.ok(uploadResultSchema, 'POST', `/v1/campaigns/${id}/contacts`, {
      body: [
        { name: 'no number' },
        { phone_number: 5551234 },
        { phone_number: other, name: 'x'.repeat(201) },
        { phone_number: good, timezone: 'Mars/Olympus' },
        { phone_number: good, custom_data: 'vip' },
        { phone_number: good, custom_data: { tier: 'vip' } },
        { phone_number: '+1 (212) 0' },
      ],
    });
    expect(result).toMatchObject({ uploaded: 1, duplicates: 0, total_contacts: 1 });
    expect(result.rejected).toEqual([
      { index: 0, field: 'phone_number', reason: 'is required and must be a string' },
      { index: 1, field: 'phone_number', reason: 'is required and must be a string' },
      { index: 2, field: 'name', reason: 'must be at most 200 characters', phone_number: other },
      { index: 3, field: 'timezone', reason: 'unknown IANA time zone "Mars/Olympus"', phone_number: good },
      { index: 4, field: 'custom_data', reason: 'must be an object', phone_number: good },
      {
        index: 6,
        field: 'phone_number',
        reason: expect.stringMatching(/short|not a valid/) as unknown,
        phone_number: '+1 (212) 0',
      },
    ]);

    const notAList = await api.fail(
      'POST',
      `/v1/campaigns/${id}/contacts`,
      { body: { phone_number: good } },
      400,
    );
    expect(notAList.issues).toEqual([{ path: '(body)', message: 'must be an array of contacts' }]);
    const tooMany = Array.from({ length: 1001 }, () => ({ phone_number: good }));
    const tooLong = await api.fail('POST', `/v1/campaigns/${id}/contacts`, { body: tooMany }, 400);
    expect(tooLong.issues).toEqual([{ path: '(body)', message: 'at most 1000 contacts per request' }]);
  });

  it('checks redial and do-not-call bodies', async () => {
    const id = await createCampaign();
    const path = `/v1/campaigns/${id}/redial`;
    expect((await api.fail('POST', path, { body: {} }, 400)).issues).toEqual([
      { path: 'call_ids', message: 'give either call_ids or criteria' },
    ]);
    const both = await api.fail(
      'POST',
      path,
      { body: { call_ids: ['a'], criteria: { outcomes: ['busy'] } } },
      400,
    );
    expect(both.issues).toEqual([
      { path: 'criteria', message: 'give either call_ids or criteria, not both' },
    ]);
    const badCriteria = await api.fail(
      'POST',
      path,
      { body: { criteria: { outcomes: ['busy', 'bored'], exclude_dnc: 'yes', max_previous_attempts: 0 } } },
      400,
    );
    expect(badCriteria.issues).toEqual([
      { path: 'criteria.outcomes.1', message: expect.stringMatching(/^unknown outcome "bored"/) as unknown },
      { path: 'criteria.max_previous_attempts', message: 'must be at least 1' },
      { path: 'criteria.exclude_dnc', message: 'must be true or false' },
    ]);
    const dnc = await api.fail('POST', '/v1/dnc', { body: { phone_numbers: [], reason: '' } }, 400);
    expect(dnc.issues).toEqual([
      { path: 'phone_numbers', message: 'must list at least one number' },
      { path: 'reason', message: 'must not be empty' },
    ]);
  });

  it('answers malformed, missing, oversized and non-JSON bodies in the envelope', async () => {
    const malformed = await api.fail(
      'POST',
      '/v1/campaigns',
      { raw: '{"name": ', contentType: 'application/json' },
      400,
    );
    expect(malformed.code).toBe('INVALID_JSON');
    const none = await api.fail('POST', '/v1/campaigns', {}, 400);
    expect(none).toMatchObject({
      code: 'VALIDATION_ERROR',
      issues: [{ path: '(body)', message: expect.any(String) as unknown }],
    });
    const big = await api.fail(
      'POST',
      '/v1/campaigns',
      { body: { ...settings, description: 'x'.repeat(70 * 1024) } },
      413,
    );
    expect(big.code).toBe('PAYLOAD_TOO_LARGE');
    const text = await api.fail('POST', '/v1/campaigns', { raw: 'name=x', contentType: 'text/plain' }, 415);
    expect(text.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const unknown = await api.send('GET', '/v1/nothing-here');
    expectStatus(unknown, 404, 'unknown route');
    expect(unknown.body).toEqual({
      error: { code: 'NOT_FOUND', message: 'No route for GET /v1/nothing-here' },
    });
  });
});

describe('Idempotency-Key', () => {
  it('replays the first answer and creates nothing twice; another body with the key is refused', async () => {
    const key = `create-${Date.now()}`;
    const body = { ...settings, name: `idempotent ${key}` };
    const first = await api.send('POST', '/v1/campaigns', { body, headers: { 'Idempotency-Key': key } });
    expectStatus(first, 201, 'first create');
    const again = await api.send('POST', '/v1/campaigns', { body, headers: { 'Idempotency-Key': key } });
    expectStatus(again, 201, 'replayed create');
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const all = await api.ok(campaignListSchema, 'GET', '/v1/campaigns?limit=100');
    expect(all.data.filter((c) => c.name === body.name)).toHaveLength(1);

    const reused = await api.fail(
      'POST',
      '/v1/campaigns',
      { body: { ...body, maxConcurrentCalls: 5 }, headers: { 'Idempotency-Key': key } },
      422,
    );
    expect(reused.code).toBe('KEY_REUSED');
    // Keys belong to an account: another account's request with the same key is its own.
    const theirs = await stranger.send('POST', '/v1/campaigns', {
      body,
      headers: { 'Idempotency-Key': key },
    });
    expectStatus(theirs, 201, 'create by another account');
    expect(campaignSchema.parse(theirs.body).id).not.toBe(campaignSchema.parse(first.body).id);
    const long = await api.fail(
      'POST',
      '/v1/campaigns',
      { body, headers: { 'Idempotency-Key': 'k'.repeat(256) } },
      400,
    );
    expect(long.code).toBe('KEY_TOO_LONG');
  });

  it('does not upload the same contacts twice, nor start twice', async () => {
    const id = await createCampaign();
    const contacts = numbersEndingIn([1, 2, 3], 404).map((phone_number) => ({ phone_number }));
    const headers = { 'Idempotency-Key': `upload-${id}` };
    const first = await api.ok(uploadResultSchema, 'POST', `/v1/campaigns/${id}/contacts`, {
      body: contacts,
      headers,
    });
    const again = await api.send('POST', `/v1/campaigns/${id}/contacts`, { body: contacts, headers });
    expect(again.body).toEqual(first);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first).toMatchObject({ uploaded: 3, duplicates: 0 });
    // Without the key the same contacts are duplicates: the replay really did nothing.
    const unkeyed = await api.ok(uploadResultSchema, 'POST', `/v1/campaigns/${id}/contacts`, {
      body: contacts,
    });
    expect(unkeyed).toMatchObject({ uploaded: 0, duplicates: 3, total_contacts: 3 });

    const start = { headers: { 'Idempotency-Key': `start-${id}` } };
    const started = await api.send('POST', `/v1/campaigns/${id}/start`, start);
    const startedAgain = await api.send('POST', `/v1/campaigns/${id}/start`, start);
    expectStatus(started, 200, 'start');
    expectStatus(startedAgain, 200, 'replayed start');
    expect(startedAgain.body).toEqual(started.body);
    const unkeyedStart = await api.fail('POST', `/v1/campaigns/${id}/start`, {}, 409);
    expect(unkeyedStart.code).toBe('CAMPAIGN_ALREADY_RUNNING');
    await api.ok(campaignSchema, 'POST', `/v1/campaigns/${id}/cancel`);
    const calls = await api.ok(callPageSchema, 'GET', `/v1/campaigns/${id}/calls?limit=100`);
    expect(calls.data.length).toBeLessThanOrEqual(3);
  });
});
