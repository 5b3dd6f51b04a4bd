import type { Account } from '../../../src/accounts/store';
import { signJwt } from '../../../src/api/jwt';
import { campaignStatusNames } from '../../../src/api/status-names';
import { syntheticNumbers } from '../../../src/phones/synthetic-numbers';
import { ALWAYS_OPEN } from '../../support/campaigns';
import { startEngine, type Engine } from '../../support/engine';
import { fillIn, parseCurl, sendCurl, shapeMismatches } from './support';

/** Kore.ai "Get Campaign Status API": sample request and response as the page prints them. */
const STATUS_REQUEST = `curl --location --request POST 'https://{{host}}/agentassist/api/v1/public/{{IID}}/campaign/{{campaignId}}/status?view=status' \\
--header 'iid: st-0603182c-7ffb-53c3-b307-47ca14b9xxxx' \\
--header 'accountId: 67777ce93e25326494e9xxxx' \\
--header 'auth: <token>'`;
const STATUS_RESPONSE = {
  status: 'success',
  data: {
    id: 'cd-0e0475b-a418-400d-9164-21eb7e89xxxx',
    status: 'Stopped',
    name: 'Voice From API- With Preview Dialing Mode- 2',
  },
};

/** Kore.ai "Get All Contact Details Of Voice Campaigns-v2": sample request and response. */
const CONTACTS_REQUEST = `curl --location 'https://{{host}}/campaign/api/v2/public/{{streamId}}/campaign/{{campaignId}}/status?view=contacts' \\
--header 'auth: <token>' \\
--header 'iid: st-0603182c-7ffb-53c3-b307-47ca14bxxxxx' \\
--header 'accountId: 67777ce93e25326494exxxxx' \\
--header 'Content-Type: application/json' \\
--data '{
"page": 1,
"limit" : 100
}'`;
const CONTACTS_RESPONSE = {
  status: 'success',
  data: {
    results: [
      {
        phoneNumber: '919876543210',
        uniqueId: '',
        dialerOutcome: '',
        numberOfAttemptsSoFar: 2,
        botSessionId: '685d3c819e81807087b6xxxx',
        agentDispositionCodes: [],
        botOutboundStatus: 'userHangUp',
        botOutboundStatusDetail: 'Client side',
      },
      {
        phoneNumber: '125xxxx0200',
        uniqueId: '',
        dialerOutcome: 'completed',
        numberOfAttemptsSoFar: 1,
        botSessionId: '685d3c4a6b208b1e96a1xxxx',
        agentDispositionCodes: ['System Generated'],
        botOutboundStatus: 'userHangUp',
        botOutboundStatusDetail: 'user_hangup',
      },
    ],
    page: 1,
    limit: 100,
    totalPages: 1,
    totalResults: 4,
  },
};

describe('Kore.ai campaign status and contacts', () => {
  let engine: Engine;
  let account: Account;
  let other: Account;

  beforeAll(async () => {
    engine = await startEngine();
    account = (await engine.accounts.findAccount(engine.accountId)) as Account;
    const second = await engine.newAccount('other tenant');
    other = (await engine.accounts.findAccount(second.accountId)) as Account;
  });
  afterAll(async () => {
    await engine.stop();
  });

  const token = (acct: Account = account) =>
    signJwt({ appId: acct.appId }, acct.jwtSecret, { expiresInS: 300 });
  const headers = (acct: Account = account) => ({ auth: token(acct), iid: acct.appId, accountid: acct._id });

  async function draft(phones: string[], name = 'kore status test') {
    const doc = await engine.service.createCampaign(account._id, {
      name,
      agentId: 'agent-1',
      callingHours: ALWAYS_OPEN,
    });
    if (phones.length) {
      await engine.service.uploadContacts(
        account._id,
        doc._id,
        phones.map((phone_number) => ({ phone_number })),
      );
    }
    return doc;
  }

  async function get(path: string, acct: Account = account) {
    const res = await fetch(`${engine.apiUrl}${path}`, { headers: headers(acct) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function post(path: string, body: unknown) {
    const res = await fetch(`${engine.apiUrl}${path}`, {
      method: 'POST',
      headers: { ...headers(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function triggerPlay(campaignId: string) {
    const url = `${engine.apiUrl}/api/v2/public/${account.appId}/campaign/trigger/${campaignId}?campaignType=voice&trigger=play`;
    const res = await fetch(url, { method: 'POST', headers: headers() });
    expect(res.status).toBe(200);
  }

  describe('view=status', () => {
    it('answers the page sample request, sent as written, in the shape of the page sample', async () => {
      const doc = await draft(syntheticNumbers({ count: 1, seed: 5 }), 'Voice From API');
      const send = () =>
        sendCurl(
          parseCurl(
            fillIn(STATUS_REQUEST, {
              'https://{{host}}': engine.apiUrl,
              '{{IID}}': account.appId,
              '{{campaignId}}': doc._id,
              'st-0603182c-7ffb-53c3-b307-47ca14b9xxxx': account.appId,
              '67777ce93e25326494e9xxxx': account._id,
              '<token>': token(),
            }),
          ),
        );
      const ready = await send();
      expect(ready.status).toBe(200);
      expect(shapeMismatches(ready.json, STATUS_RESPONSE)).toEqual([]);
      expect(ready.json).toEqual({
        status: 'success',
        data: { id: doc._id, status: 'Ready', name: 'Voice From API' },
      });

      await engine.service.cancelCampaign(account._id, doc._id);
      const stopped = await send();
      expect(stopped.json).toEqual({
        status: 'success',
        data: { id: doc._id, status: 'Stopped', name: 'Voice From API' },
      });
      expect(Object.values(campaignStatusNames.kore)).toContain(STATUS_RESPONSE.data.status);
    });

    it('answers GET with the view in the query (status when no view is given), by id, numeric id or code', async () => {
      const doc = await draft(syntheticNumbers({ count: 1, seed: 6 }));
      const expected = { status: 'success', data: { id: doc._id, status: 'Ready', name: doc.name } };
      for (const ref of [doc._id, String(doc.numericId), doc.code]) {
        expect(await get(`/api/v2/public/${account.appId}/campaign/${ref}/status?view=status`)).toEqual({
          status: 200,
          body: expected,
        });
      }
      expect(await get(`/api/v2/public/${account.appId}/campaign/${doc._id}/status`)).toEqual({
        status: 200,
        body: expected,
      });
    });

    it('refuses a view it does not know with a 400 naming the field', async () => {
      const doc = await draft([]);
      const res = await get(`/api/v2/public/${account.appId}/campaign/${doc._id}/status?view=summary`);
      expect(res).toEqual({
        status: 400,
        body: {
          errors: [
            {
              msg: 'view must be one of status, contacts, got "summary"',
              code: 'INVALID_PARAMETER',
              field: 'view',
            },
          ],
        },
      });
    });

    it("answers 404 for another account's campaign and for one that does not exist; 401 without a valid JWT", async () => {
      const doc = await draft([]);
      const theirs = await get(`/api/v2/public/${other.appId}/campaign/${doc._id}/status?view=status`, other);
      expect(theirs).toEqual({
        status: 404,
        body: { errors: [{ msg: 'Campaign not found', code: 'NOT_FOUND', field: 'campaignId' }] },
      });
      const missing = await get(`/api/v2/public/${account.appId}/campaign/CAMP-1999-999/status?view=status`);
      expect(missing.status).toBe(404);
      const res = await fetch(`${engine.apiUrl}/api/v2/public/${account.appId}/campaign/${doc._id}/status`, {
        headers: { ...headers(), auth: signJwt({ appId: account.appId }, 'wrong-secret-wrong-secret') },
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ errors: [{ code: 'INVALID_TOKEN', field: 'auth' }] });
    });
  });

  it('answers an unknown route under its prefixes in its own envelope', async () => {
    const res = await get(`/api/v2/public/${account.appId}/campaign/x/report`);
    expect(res).toEqual({
      status: 404,
      body: {
        errors: [
          { msg: `No route for GET /api/v2/public/${account.appId}/campaign/x/report`, code: 'NOT_FOUND' },
        ],
      },
    });
  });

  describe('view=contacts', () => {
    it('answers the page sample request, sent as written, with each contact in the shape of the sample', async () => {
      // Last digits pick the simulated outcomes: answered, busy, failed, invalid number.
      const digits = [1, 5, 7, 9];
      const phones = syntheticNumbers({ count: 4, seed: 11, lastDigit: (i) => digits[i] as number });
      const doc = await draft(phones);
      const send = () =>
        sendCurl(
          parseCurl(
            fillIn(CONTACTS_REQUEST, {
              'https://{{host}}': engine.apiUrl,
              '{{streamId}}': account.appId,
              '{{campaignId}}': doc._id,
              'st-0603182c-7ffb-53c3-b307-47ca14bxxxxx': account.appId,
              '67777ce93e25326494exxxxx': account._id,
              '<token>': token(),
            }),
          ),
        );

      const before = await send();
      expect(before.status).toBe(200);
      expect(shapeMismatches(before.json, CONTACTS_RESPONSE)).toEqual([]);
      const waiting = (before.json as typeof CONTACTS_RESPONSE).data;
      expect(waiting.results.map((r) => [r.phoneNumber, r.dialerOutcome, r.numberOfAttemptsSoFar])).toEqual(
        phones.map((p) => [p.slice(1), '', 0]),
      );
      expect({ ...waiting, results: [] }).toEqual({
        results: [],
        page: 1,
        limit: 100,
        totalPages: 1,
        totalResults: 4,
      });

      await triggerPlay(doc._id);
      await engine.client.workflow.getHandle(`campaign-${doc._id}`).result();

      const after = await send();
      expect(after.status).toBe(200);
      expect(shapeMismatches(after.json, CONTACTS_RESPONSE)).toEqual([]);
      const results = (after.json as typeof CONTACTS_RESPONSE).data.results;
      expect(results.map((r) => [r.phoneNumber, r.dialerOutcome, r.numberOfAttemptsSoFar])).toEqual([
        [phones[0]?.slice(1), 'completed', 1],
        [phones[1]?.slice(1), 'busy', 1],
        [phones[2]?.slice(1), 'failed', 1],
        [phones[3]?.slice(1), 'invalid_number', 1],
      ]);
      const calls = await engine.store.calls.find({ campaignId: doc._id }).toArray();
      expect(results.map((r) => r.uniqueId).sort()).toEqual(calls.map((c) => c.callId).sort());
    });

    it('pages with page and limit, in the query or the body (the query wins)', async () => {
      const phones = syntheticNumbers({ count: 5, seed: 12 });
      const doc = await draft(phones);
      const path = (q: string) =>
        `/api/v2/public/${account.appId}/campaign/${doc._id}/status?view=contacts${q}`;
      const seen: string[] = [];
      for (const [page, size] of [
        [1, 2],
        [2, 2],
        [3, 1],
        [4, 0],
      ] as const) {
        const res = await get(path(`&page=${page}&limit=2`));
        expect(res.status).toBe(200);
        const data = res.body.data as { results: { phoneNumber: string }[] };
        expect(data).toMatchObject({ page, limit: 2, totalPages: 3, totalResults: 5 });
        expect(data.results).toHaveLength(size);
        seen.push(...data.results.map((r) => r.phoneNumber));
      }
      expect(seen).toEqual(phones.map((p) => p.slice(1)));

      const fromBody = await post(path(''), { page: 2, limit: 3 });
      expect(fromBody.body.data).toMatchObject({ page: 2, limit: 3, totalPages: 2, totalResults: 5 });
      const queryWins = await post(path('&limit=4'), { page: 2, limit: 3 });
      expect(queryWins.body.data).toMatchObject({ page: 2, limit: 4, totalPages: 2 });
      const defaults = await get(path(''));
      expect(defaults.body.data).toMatchObject({ page: 1, limit: 10, totalPages: 1, totalResults: 5 });
    });

    it.each([
      ['limit above 100', '&limit=101', 'limit', 'limit must be at most 100'],
      ['limit 0', '&limit=0', 'limit', 'limit must be at least 1'],
      ['page 0', '&page=0', 'page', 'page must be at least 1'],
      ['a page that is not a number', '&page=abc', 'page', 'page must be a number'],
      ['a fractional limit', '&limit=2.5', 'limit', 'limit must be a whole number'],
    ])('refuses %s with a 400 naming the field', async (_label, query, field, msg) => {
      const doc = await draft([]);
      const res = await get(
        `/api/v2/public/${account.appId}/campaign/${doc._id}/status?view=contacts${query}`,
      );
      expect(res).toEqual({ status: 400, body: { errors: [{ msg, code: 'INVALID_PARAMETER', field }] } });
    });

    it('refuses a limit above 100 in the body too', async () => {
      const doc = await draft([]);
      const res = await post(
        `/campaign/api/v2/public/${account.appId}/campaign/${doc._id}/status?view=contacts`,
        {
          page: 1,
          limit: 500,
        },
      );
      expect(res).toMatchObject({ status: 400, body: { errors: [{ field: 'limit' }] } });
    });
  });
});
