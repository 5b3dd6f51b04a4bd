import type { Account } from '../../../src/accounts/store';
import { signJwt } from '../../../src/api/jwt';
import { campaignStatusNames } from '../../../src/api/status-names';
import { syntheticNumbers } from '../../../src/phones/synthetic-numbers';
import { ALWAYS_OPEN } from '../../support/campaigns';
import { startEngine, type Engine } from '../../support/engine';
import { codeBlocks, fillIn, parseCurl, seedPage, sendCurl, shapeMismatches, waitFor } from './support';

/** Seed 002, "Start Voice Campaign API-v2": the sample request and response, as printed. */
const SAMPLE_REQUEST = `curl --location 'https://{{host}}/api/v2/public/{{streamID}}/campaign/trigger/{{campaignId}}?accountId={{accountId}}&campaignType=voice&trigger=play' \\
--header 'auth: <token>' \\
--header 'accountid: 67777ce93e25326494xxxxx' \\
--header 'iid: st-0603182c-7ffb-53c3-b307-47ca14bxxxxx' \\
--header 'Content-Type: application/json' \\
--data '{}
'`;
const SAMPLE_RESPONSE = `{
    "status": "Active",
    "message": "Campaign Started",
    "totalCallsCompleted": 0,
    "updatedAt": "2025-12-05T11:56:13.241Z",
    "campaignInstanceId": "cid-835ee4a-697e-4846-8340-7e3e301xxxxx"
}`;

const koreNames = Object.values(campaignStatusNames.kore);

describe('Kore.ai campaign trigger (seed 002)', () => {
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

  /** A campaign with contacts; `sleeping` ones are scheduled for tomorrow, so it stays running. */
  async function campaign(opts: { owner?: Account; contacts?: number; sleeping?: boolean } = {}) {
    const owner = opts.owner ?? account;
    const sleeping = opts.sleeping ?? true;
    const doc = await engine.service.createCampaign(owner._id, {
      name: 'kore trigger test',
      agentId: 'agent-1',
      callingHours: ALWAYS_OPEN,
      isScheduledCall: sleeping,
    });
    const count = opts.contacts ?? 3;
    if (count > 0) {
      const tomorrow = new Date(Date.now() + 24 * 3600_000).toISOString();
      const phones = syntheticNumbers({ count, seed: doc.numericId, lastDigit: () => 1 });
      await engine.service.uploadContacts(
        owner._id,
        doc._id,
        phones.map((phone_number) => ({
          phone_number,
          ...(sleeping && { scheduledCallDateTime: tomorrow }),
        })),
      );
    }
    return doc;
  }

  const token = (acct: Account, claims: Record<string, unknown> = {}, expiresInS = 300) =>
    signJwt({ appId: acct.appId, ...claims }, acct.jwtSecret, { expiresInS });

  async function trigger(
    campaignId: string,
    query: Record<string, string>,
    headers: Record<string, string | undefined> = {},
    body = '{}',
  ) {
    const defaults: Record<string, string> = {
      auth: token(account),
      iid: account.appId,
      accountid: account._id,
      'content-type': 'application/json',
    };
    const merged = Object.fromEntries(
      Object.entries({ ...defaults, ...headers }).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const url = `${engine.apiUrl}/api/v2/public/${account.appId}/campaign/trigger/${campaignId}?${new URLSearchParams(query).toString()}`;
    const res = await fetch(url, { method: 'POST', headers: merged, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const play = { campaignType: 'voice', trigger: 'play' };

  it('answers the page sample request, sent as written, in the shape of the page sample', async () => {
    const page = seedPage('002_');
    if (page) {
      // The copies above are the page's own blocks: this test follows the page if it changes.
      expect(codeBlocks(page).map((b) => b.trim())).toEqual([SAMPLE_REQUEST.trim(), SAMPLE_RESPONSE.trim()]);
    }
    const doc = await campaign();
    const request = parseCurl(
      fillIn(SAMPLE_REQUEST, {
        'https://{{host}}': engine.apiUrl,
        '{{streamID}}': account.appId,
        '{{campaignId}}': doc._id,
        '{{accountId}}': account._id,
        '<token>': token(account),
        '67777ce93e25326494xxxxx': account._id,
        'st-0603182c-7ffb-53c3-b307-47ca14bxxxxx': account.appId,
      }),
    );
    expect(request).toMatchObject({ method: 'POST', body: '{}\n' });

    const res = await sendCurl(request);
    expect(res.status).toBe(200);
    const sample = JSON.parse(SAMPLE_RESPONSE) as Record<string, unknown>;
    expect(shapeMismatches(res.json, sample)).toEqual([]);
    // Same keys in the same order as the page prints them.
    expect(Object.keys(res.json as object)).toEqual(Object.keys(sample));

    const stored = await engine.store.getCampaign(doc._id);
    expect(stored?.status).toBe('running');
    expect(res.json).toEqual({
      status: 'Active',
      message: 'Campaign Started',
      totalCallsCompleted: 0,
      updatedAt: stored?.updatedAt.toISOString(),
      campaignInstanceId: stored?.instanceId,
    });
    expect(stored?.instanceId).toMatch(/^cid-[0-9a-f-]{36}$/);
    expect(koreNames).toContain((res.json as { status: string }).status);
  });

  it('takes the account from the query parameter alone, and addresses campaigns by numeric id or code', async () => {
    const byNumber = await campaign();
    const res = await trigger(
      String(byNumber.numericId),
      { ...play, accountId: account._id },
      { accountid: undefined },
    );
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('Active');
    expect((await engine.store.getCampaign(byNumber._id))?.status).toBe('running');

    const byCode = await campaign();
    const stopped = await trigger(byCode.code, { campaignType: 'voice', trigger: 'stop' });
    expect(stopped).toMatchObject({ status: 200, body: { status: 'Stopped', message: 'Campaign Stopped' } });
    expect((await engine.store.getCampaign(byCode._id))?.status).toBe('cancelled');
  });

  it('pauses, resumes (by resume or by play) and stops a running campaign', async () => {
    const doc = await campaign();
    const started = await trigger(doc._id, play);
    expect(started.status).toBe(200);
    const instanceId = started.body.campaignInstanceId;

    const paused = await trigger(doc._id, { campaignType: 'voice', trigger: 'pause' });
    expect(paused).toMatchObject({
      status: 200,
      body: {
        status: 'Paused',
        message: 'Campaign Paused',
        totalCallsCompleted: 0,
        campaignInstanceId: instanceId,
      },
    });
    expect((await engine.store.getCampaign(doc._id))?.status).toBe('paused');

    const pausedAgain = await trigger(doc._id, { campaignType: 'voice', trigger: 'pause' });
    expect(pausedAgain.status).toBe(400);
    expect(pausedAgain.body).toEqual({
      errors: [{ msg: 'Campaign is not Active (it is Paused)', code: 'CAMPAIGN_NOT_RUNNING' }],
    });

    const resumedByPlay = await trigger(doc._id, play);
    expect(resumedByPlay).toMatchObject({
      status: 200,
      body: { status: 'Active', message: 'Campaign Resumed' },
    });
    expect(resumedByPlay.body.campaignInstanceId).toBe(instanceId);

    const playAgain = await trigger(doc._id, play);
    expect(playAgain.status).toBe(400);
    expect(playAgain.body).toEqual({
      errors: [{ msg: 'Campaign is already Active', code: 'CAMPAIGN_ALREADY_RUNNING' }],
    });

    await trigger(doc._id, { campaignType: 'voice', trigger: 'pause' });
    const resumed = await trigger(doc._id, { campaignType: 'voice', trigger: 'resume' });
    expect(resumed).toMatchObject({ status: 200, body: { status: 'Active', message: 'Campaign Resumed' } });
    expect((await engine.store.getCampaign(doc._id))?.status).toBe('running');

    const stopped = await trigger(doc._id, { campaignType: 'voice', trigger: 'stop' });
    expect(stopped).toMatchObject({ status: 200, body: { status: 'Stopped', message: 'Campaign Stopped' } });
    const stored = await engine.store.getCampaign(doc._id);
    expect(stored?.status).toBe('cancelled');
    expect(stopped.body.updatedAt).toBe(stored?.updatedAt.toISOString());

    const stopAgain = await trigger(doc._id, { campaignType: 'voice', trigger: 'stop' });
    expect(stopAgain).toMatchObject({ status: 400, body: { errors: [{ code: 'INVALID_CAMPAIGN_STATE' }] } });
    const replay = await trigger(doc._id, play);
    expect(replay.status).toBe(400);
    expect((await engine.store.getCampaign(doc._id))?.status).toBe('cancelled');
  });

  it('counts completed calls in totalCallsCompleted when a campaign is stopped', async () => {
    const doc = await campaign({ sleeping: false, contacts: 2 });
    expect((await trigger(doc._id, play)).status).toBe(200);
    // Both calls end (answered) and the campaign completes; stopping it then is refused.
    const done: unknown = await engine.client.workflow.getHandle(`campaign-${doc._id}`).result();
    expect(done).toMatchObject({ status: 'completed' });
    const stop = await trigger(doc._id, { campaignType: 'voice', trigger: 'stop' });
    expect(stop).toMatchObject({ status: 400, body: { errors: [{ msg: 'Campaign is already Completed' }] } });

    // A running one: one call answered, then stopped with the other contact asleep.
    const mixed = await engine.service.createCampaign(account._id, {
      name: 'mixed',
      agentId: 'agent-1',
      callingHours: ALWAYS_OPEN,
      isScheduledCall: true,
    });
    const [now, later] = syntheticNumbers({ count: 2, seed: 77, lastDigit: () => 2 });
    await engine.service.uploadContacts(account._id, mixed._id, [
      { phone_number: now as string, scheduledCallDateTime: new Date(Date.now() + 1500).toISOString() },
      {
        phone_number: later as string,
        scheduledCallDateTime: new Date(Date.now() + 86_400_000).toISOString(),
      },
    ]);
    expect((await trigger(mixed._id, play)).status).toBe(200);
    await waitFor('the first call to end', async () => {
      const status = await engine.service.getStatus(account._id, mixed._id);
      return status.counters.contacts.completed === 1 ? true : undefined;
    });
    const stopped = await trigger(mixed._id, { campaignType: 'voice', trigger: 'stop' });
    expect(stopped).toMatchObject({ status: 200, body: { status: 'Stopped', totalCallsCompleted: 1 } });
  });

  it.each([
    [
      'campaignType other than voice',
      { campaignType: 'sms', trigger: 'play' },
      'campaignType',
      /must be "voice"/,
    ],
    ['no campaignType', { trigger: 'play' }, 'campaignType', /is required/],
    [
      'an unknown trigger',
      { campaignType: 'voice', trigger: 'rewind' },
      'trigger',
      /one of play, stop, pause, resume/,
    ],
    ['no trigger', { campaignType: 'voice' }, 'trigger', /is required/],
  ])('refuses %s with a 400 naming the field, and changes nothing', async (_label, query, field, msg) => {
    const doc = await campaign();
    const res = await trigger(doc._id, query);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      errors: [{ msg: expect.stringMatching(msg) as string, code: 'INVALID_PARAMETER', field }],
    });
    expect((await engine.store.getCampaign(doc._id))?.status).toBe('draft');
  });

  it('refuses a malformed JSON body with a 400', async () => {
    const doc = await campaign();
    const res = await trigger(doc._id, play, {}, '{"oops":');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ errors: [{ code: 'INVALID_JSON' }] });
    expect((await engine.store.getCampaign(doc._id))?.status).toBe('draft');
  });

  it('says what a campaign lacks when it cannot start', async () => {
    const doc = await campaign({ contacts: 0 });
    const res = await trigger(doc._id, play);
    expect(res).toEqual({
      status: 400,
      body: {
        errors: [{ msg: 'Campaign cannot be started: missing contacts', code: 'INVALID_CAMPAIGN_STATE' }],
      },
    });
  });

  describe('authentication: every failure is a 401 and changes nothing', () => {
    const expired = () =>
      signJwt({ appId: account.appId }, account.jwtSecret, { expiresInS: 60, now: Date.now() - 3600_000 });
    const cases: [string, () => Record<string, string | undefined>, string, string][] = [
      [
        'a JWT signed with another secret',
        () => ({ auth: token({ ...account, jwtSecret: 'not-the-secret-at-all' }) }),
        'INVALID_TOKEN',
        'auth',
      ],
      ['an expired JWT', () => ({ auth: expired() }), 'TOKEN_EXPIRED', 'auth'],
      [
        'a JWT whose appId is not the iid',
        () => ({ auth: token(account, { appId: 'st-someone-else' }) }),
        'APP_ID_MISMATCH',
        'iid',
      ],
      [
        "an iid (and appId) that is not the account's application",
        () => ({ auth: token(account, { appId: 'st-someone-else' }), iid: 'st-someone-else' }),
        'APP_ID_MISMATCH',
        'iid',
      ],
      ['another account named in accountId', () => ({ accountid: other._id }), 'INVALID_TOKEN', 'auth'],
      ['an account that does not exist', () => ({ accountid: 'acc_nobody' }), 'INVALID_TOKEN', 'auth'],
      ['no auth header', () => ({ auth: undefined }), 'MISSING_AUTH', 'auth'],
      ['no iid header', () => ({ iid: undefined }), 'MISSING_IID', 'iid'],
      ['no accountId at all', () => ({ accountid: undefined }), 'MISSING_ACCOUNT_ID', 'accountId'],
      ['a garbage token', () => ({ auth: 'not-a-jwt' }), 'INVALID_TOKEN', 'auth'],
      [
        'an unsigned (alg none) token',
        () => ({
          auth: `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ appId: account.appId })).toString('base64url')}.`,
        }),
        'INVALID_TOKEN',
        'auth',
      ],
    ];
    it.each(cases)('%s', async (_label, headers, code, field) => {
      const doc = await campaign();
      const res = await trigger(doc._id, play, headers());
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ errors: [{ msg: expect.any(String) as string, code, field }] });
      const stored = await engine.store.getCampaign(doc._id);
      expect(stored?.status).toBe('draft');
      expect(stored?.instanceId).toBeUndefined();
    });

    it('an accountId query parameter that disagrees with the header', async () => {
      const doc = await campaign();
      const res = await trigger(doc._id, { ...play, accountId: other._id });
      expect(res).toMatchObject({ status: 401, body: { errors: [{ code: 'ACCOUNT_ID_MISMATCH' }] } });
      expect((await engine.store.getCampaign(doc._id))?.status).toBe('draft');
    });

    it('checks authentication before parameters', async () => {
      const doc = await campaign();
      const res = await trigger(doc._id, { campaignType: 'sms' }, { auth: undefined });
      expect(res.status).toBe(401);
    });
  });

  it("answers 404 for another account's campaign, with that account's valid JWT, and leaves it alone", async () => {
    const doc = await campaign();
    const res = await trigger(doc._id, play, { auth: token(other), iid: other.appId, accountid: other._id });
    expect(res).toEqual({
      status: 404,
      body: { errors: [{ msg: 'Campaign not found', code: 'NOT_FOUND', field: 'campaignId' }] },
    });
    expect((await engine.store.getCampaign(doc._id))?.status).toBe('draft');
    // ...and its numeric id does not reach it either.
    const byNumber = await trigger(String(doc.numericId), play, {
      auth: token(other),
      iid: other.appId,
      accountid: other._id,
    });
    expect(byNumber.status).toBe(404);
    const unknown = await trigger('000000000000000000000000', play);
    expect(unknown.status).toBe(404);
  });
});
