import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { createApp } from '../../../src/api/app';
import { campaignStatusNames } from '../../../src/api/status-names';
import { CampaignService } from '../../../src/campaigns/service';
import { CampaignStore } from '../../../src/campaigns/store';
import type { CountryCode } from 'libphonenumber-js';
import { freePort } from '../../../src/dev/processes';
import { createLogger } from '../../../src/log';
import type { EngineContext } from '../../../src/runtime/context';
import { syntheticNumbers } from '../../../src/phones/synthetic-numbers';
import { ALWAYS_OPEN } from '../../support/campaigns';
import { startEngine, type Engine } from '../../support/engine';
import { fillIn, seedPage, shapeMismatches } from '../kore/support';

/** Seed 004, "Start Campaign": the URL and the sample response, as the page prints them. */
const SAMPLE_URL = 'http://<host>:<port>/api/v1/campaigns/<id>/start';
const SAMPLE_RESPONSE = `{
  "id" : "3",
  "message" : "Campaign execution intiated successfully. "
}`;

/** The sibling pages (Pause, Resume, Terminate, Delete Campaign): their sample bodies. */
const jackson = (id: string, message: string) => `{\n  "id" : "${id}",\n  "message" : "${message}"\n}`;

/**
 * "Get All Campaigns by Pagination": the page's first campaign with the channel lists (push
 * messages, mails, segments...) emptied, as a voice campaign has none of them.
 */
const LIST_SAMPLE = {
  total: 180,
  campaigns: [
    {
      id: 3,
      name: 'camp_dev_-589977426256209935',
      campaignType: '',
      zone: '(GMT+05:30) Chennai, Mumbai, New Delhi',
      startDateStr: '05/15/2016 07:11:00 PM',
      endDateStr: '05/16/2016 01:41:00 PM',
      terminatedDateStr: '',
      pausedDateStr: '',
      lastModifiedBy: 'admin',
      lastModifiedDateStr: '05/15/2016 06:11:01 PM AFT',
      createdBy: 'admin',
      createdDateStr: '05/15/2016 06:11:01 PM AFT',
      campaignSegments: [],
      campaignMessages: [],
      campaignMails: [],
      campaignSms: [],
      campaignVoiceSms: [],
      campaignPasses: [],
      campaignChannelPriorities: [],
      status: 'Running',
    },
  ],
};
const VOLTMX_DATE = /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2} (AM|PM)( UTC)?$/;

describe('Volt MX Engagement Services campaigns (seed 004)', () => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await startEngine();
  });
  afterAll(async () => {
    await engine.stop();
  });

  /** A campaign with contacts scheduled for tomorrow: once started it stays running. */
  async function campaign(accountId = engine.accountId, contacts = 2) {
    const doc = await engine.service.createCampaign(accountId, {
      name: 'volt mx test',
      agentId: 'agent-1',
      callingHours: ALWAYS_OPEN,
      isScheduledCall: true,
    });
    if (contacts > 0) {
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
      await engine.service.uploadContacts(
        accountId,
        doc._id,
        syntheticNumbers({ count: contacts, seed: doc.numericId }).map((phone_number) => ({
          phone_number,
          scheduledCallDateTime: tomorrow,
        })),
      );
    }
    return doc;
  }

  async function call(
    method: string,
    path: string,
    opts: { headers?: Record<string, string>; body?: string; base?: string } = {},
  ) {
    const res = await fetch(`${opts.base ?? engine.apiUrl}/api/v1/campaigns${path}`, {
      method,
      headers: {
        'content-type': 'application/json;charset=UTF-8',
        ...(opts.headers ?? { 'X-Kony-Authorization': engine.apiKey }),
      },
      ...(opts.body !== undefined && { body: opts.body }),
    });
    const text = await res.text();
    return { status: res.status, text, json: JSON.parse(text) as Record<string, unknown> };
  }
  const statusOf = async (id: string) => (await engine.store.getCampaign(id))?.status;

  describe('start', () => {
    it('answers the page sample request with the page sample response, byte for byte', async () => {
      const page = seedPage('004_');
      if (page) {
        expect(page).toContain(SAMPLE_URL);
        expect(page).toContain(SAMPLE_RESPONSE);
      }
      const doc = await campaign();
      const res = await fetch(
        fillIn(SAMPLE_URL, { 'http://<host>:<port>': engine.apiUrl, '<id>': String(doc.numericId) }),
        {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json;charset=UTF-8',
            'X-Kony-Authorization': engine.apiKey,
          },
        },
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const text = await res.text();
      expect(text).toBe(fillIn(SAMPLE_RESPONSE, { '"3"': `"${doc.numericId}"` }));
      const message = (JSON.parse(text) as { message: string }).message;
      expect(Buffer.from(message)).toEqual(Buffer.from('Campaign execution intiated successfully. '));
      expect(await statusOf(doc._id)).toBe('running');
    });

    it('takes our id too and echoes it as given; takes the key in X-VoltMX-Authorization or x-api-key', async () => {
      const doc = await campaign();
      const res = await call('POST', `/${doc._id}/start`, { headers: { 'x-api-key': engine.apiKey } });
      expect(res).toMatchObject({
        status: 200,
        text: jackson(doc._id, 'Campaign execution intiated successfully. '),
      });
      const other = await campaign();
      const viaVoltmx = await call('POST', `/${other.numericId}/start`, {
        headers: { 'X-VoltMX-Authorization': `Bearer ${engine.apiKey}` },
      });
      expect(viaVoltmx.status).toBe(200);
      expect(await statusOf(other._id)).toBe('running');
    });

    it('refuses to start a campaign that is already running (400, saying so) and leaves it running', async () => {
      const doc = await campaign();
      expect((await call('POST', `/${doc.numericId}/start`)).status).toBe(200);
      const before = await engine.store.getCampaign(doc._id);
      const again = await call('POST', `/${doc.numericId}/start`);
      expect(again.status).toBe(400);
      expect(again.json).toEqual({ id: String(doc.numericId), message: 'Campaign is already running' });
      const after = await engine.store.getCampaign(doc._id);
      expect(after?.instanceId).toBe(before?.instanceId);
      expect(after?.status).toBe('running');
    });

    it.each([
      ['a non-numeric id', 'abc'],
      ['a negative id', '-3'],
      ['a mixed id', '12ab'],
      ['an id too long for a long', '1234567890123456789'],
    ])('answers 400 Invalid request format for %s', async (_label, id) => {
      const res = await call('POST', `/${id}/start`);
      expect(res.status).toBe(400);
      expect(res.json).toEqual({
        id,
        message: 'Invalid request format',
        details: 'The campaign id must be a long (such as 3) or a campaign id of 24 hex digits',
      });
    });

    it('answers 400 for a malformed JSON body, and for a campaign that is not there (or not ours)', async () => {
      const doc = await campaign();
      const bad = await call('POST', `/${doc.numericId}/start`, {
        headers: { 'X-Kony-Authorization': engine.apiKey },
        body: '{"start": ',
      });
      expect(bad.status).toBe(400);
      expect(bad.json).toMatchObject({ id: String(doc.numericId), message: 'Invalid request format' });
      expect(await statusOf(doc._id)).toBe('draft');

      const unknown = await call('POST', '/987654321/start');
      expect(unknown.json).toEqual({
        id: '987654321',
        message: 'Invalid campaign ID provided or no campaign found with given ID',
      });
      expect(unknown.status).toBe(400);

      const stranger = await engine.newAccount('stranger');
      const theirs = await call('POST', `/${doc.numericId}/start`, {
        headers: { 'X-Kony-Authorization': stranger.apiKey },
      });
      expect(theirs).toMatchObject({
        status: 400,
        json: { message: 'Invalid campaign ID provided or no campaign found with given ID' },
      });
      expect(await statusOf(doc._id)).toBe('draft');
    });

    it('answers 400 naming what a campaign lacks when it cannot start', async () => {
      const empty = await campaign(engine.accountId, 0);
      const res = await call('POST', `/${empty.numericId}/start`);
      expect(res).toMatchObject({
        status: 400,
        json: { message: 'Campaign cannot be started: missing contacts' },
      });
    });

    it.each([
      ['no credentials', {}, /^Missing credentials/],
      ['an unknown key', { 'X-Kony-Authorization': 'ce_not-a-key-we-issued' }, /not valid/],
      ['an unknown key in x-api-key', { 'x-api-key': 'ce_not-a-key-we-issued' }, /not valid/],
    ])(
      'answers 401 Unauthorized request for %s, before looking at the id, and changes nothing',
      async (_l, headers, details) => {
        const doc = await campaign();
        const res = await call('POST', `/${doc.numericId}/start`, { headers });
        expect(res.status).toBe(401);
        expect(res.json).toEqual({
          id: String(doc.numericId),
          message: 'Unauthorized request',
          details: expect.stringMatching(details) as string,
        });
        expect(await statusOf(doc._id)).toBe('draft');
        const badId = await call('POST', '/not-an-id/start', { headers });
        expect(badId.status).toBe(401);
      },
    );

    it('answers 500 Server failure when Temporal is unreachable, leaves the campaign startable, and starts it later', async () => {
      const deadPort = await freePort();
      const connection = Connection.lazy({ address: `127.0.0.1:${deadPort}`, interceptors: [] });
      const temporal = new Client({ connection, namespace: 'default' });
      const log = createLogger('silent', 'test');
      const service = new CampaignService({
        store: engine.store,
        dnc: engine.dnc,
        temporal,
        taskQueue: engine.taskQueue,
        defaultRegion: engine.ctx.config.DEFAULT_PHONE_REGION as CountryCode,
        log,
      });
      const broken: EngineContext = { ...engine.ctx, temporal, service, log };
      await withApp(broken, async (base) => {
        const doc = await campaign();
        const res = await call('POST', `/${doc.numericId}/start`, { base });
        expect(res.status).toBe(500);
        expect(res.json).toEqual({
          id: String(doc.numericId),
          message: 'Server failure to process request',
          details: 'The campaign could not be started right now; try again',
        });
        expect(await statusOf(doc._id)).toBe('draft');
        // The real engine starts it: the failure left nothing behind.
        const retry = await call('POST', `/${doc.numericId}/start`);
        expect(retry.status).toBe(200);
        expect(await statusOf(doc._id)).toBe('running');
      });
      await connection.close().catch(() => undefined);
    });

    it('answers 500 Server failure when MongoDB is unreachable, and the process carries on', async () => {
      const deadPort = await freePort();
      const mongo = new MongoClient(`mongodb://127.0.0.1:${deadPort}`, { serverSelectionTimeoutMS: 300 });
      const store = new CampaignStore(mongo.db('unreachable'));
      const log = createLogger('silent', 'test');
      const service = new CampaignService({
        store,
        dnc: engine.dnc,
        temporal: engine.client,
        taskQueue: engine.taskQueue,
        defaultRegion: engine.ctx.config.DEFAULT_PHONE_REGION as CountryCode,
        log,
      });
      const broken: EngineContext = { ...engine.ctx, store, service, log };
      await withApp(broken, async (base) => {
        const start = await call('POST', '/3/start', { base });
        expect(start).toMatchObject({
          status: 500,
          json: { id: '3', message: 'Server failure to process request' },
        });
        const list = await call('GET', '', { base });
        expect(list).toMatchObject({ status: 500, json: { message: 'Server failure to process request' } });
      });
      await mongo.close();
      expect((await call('GET', '')).status).toBe(200);
    });
  });

  describe('pause, resume, terminate and delete', () => {
    it('answer in the style of their pages, and refuse what the campaign state does not allow', async () => {
      const doc = await campaign();
      const id = String(doc.numericId);
      expect((await call('POST', `/${id}/start`)).status).toBe(200);

      const paused = await call('POST', `/${id}/pause`);
      expect(paused).toMatchObject({
        status: 200,
        text: jackson(id, 'Campaign execution paused successfully. '),
      });
      expect(await statusOf(doc._id)).toBe('paused');
      const pausedTwice = await call('POST', `/${id}/pause`);
      expect(pausedTwice).toMatchObject({
        status: 400,
        json: { id, message: 'Campaign is not running (it is Paused)' },
      });
      const startPaused = await call('POST', `/${id}/start`);
      expect(startPaused).toMatchObject({
        status: 400,
        json: { message: 'Campaign is paused: resume it instead of starting it' },
      });

      const resumed = await call('POST', `/${id}/resume`);
      expect(resumed).toMatchObject({
        status: 200,
        text: jackson(id, 'Campaign execution resumed successfully. '),
      });
      expect(await statusOf(doc._id)).toBe('running');
      const resumedTwice = await call('POST', `/${id}/resume`);
      expect(resumedTwice).toMatchObject({ status: 400, json: { message: 'Campaign is already running' } });

      const deleteRunning = await call('DELETE', `/${id}`);
      expect(deleteRunning).toMatchObject({
        status: 400,
        json: { id, message: 'Running campaigns can not be deleted' },
      });
      expect(await statusOf(doc._id)).toBe('running');

      const terminated = await call('POST', `/${id}/terminate`);
      expect(terminated).toMatchObject({
        status: 200,
        text: jackson(id, 'Campaign execution stopped successfully. '),
      });
      expect(await statusOf(doc._id)).toBe('cancelled');

      const deleted = await call('DELETE', `/${id}`);
      expect(deleted).toMatchObject({ status: 200, text: jackson(id, 'Campaign deleted successfully') });
      expect((await engine.store.getCampaign(doc._id))?.deletedAt).toBeInstanceOf(Date);
      const gone = await call('GET', `/${id}`);
      expect(gone).toMatchObject({
        status: 400,
        json: { message: 'Invalid campaign ID provided or no campaign found with given ID' },
      });
    });

    it('deletes with POST /:id/delete as the Delete Campaign page has it', async () => {
      const doc = await campaign();
      const res = await call('POST', `/${doc._id}/delete`);
      expect(res).toMatchObject({ status: 200, text: jackson(doc._id, 'Campaign deleted successfully') });
      expect((await engine.store.getCampaign(doc._id))?.deletedAt).toBeInstanceOf(Date);
    });

    it('pausing a campaign that never started is refused', async () => {
      const doc = await campaign();
      const res = await call('POST', `/${doc.numericId}/pause`);
      expect(res).toMatchObject({ status: 400, json: { message: 'Campaign is not running (it is Draft)' } });
    });
  });

  describe('GET', () => {
    it('lists the account’s campaigns by page, newest first, in the shape of Get All Campaigns', async () => {
      const { accountId, apiKey } = await engine.newAccount('lister');
      const docs = [await campaign(accountId), await campaign(accountId), await campaign(accountId)];
      await engine.service.startCampaign(accountId, docs[2]?._id as string);
      const headers = { 'X-Kony-Authorization': apiKey };

      const first = await call('GET', '?start=0&pageSize=2', { headers });
      expect(first.status).toBe(200);
      expect(first.text.startsWith('{\n  "total" : 3,\n  "campaigns" : [ {\n    "id" : ')).toBe(true);
      expect(shapeMismatches(first.json, LIST_SAMPLE, { allowExtraKeys: true })).toEqual([]);
      const page1 = first.json as unknown as typeof LIST_SAMPLE;
      expect(page1.total).toBe(3);
      expect(page1.campaigns.map((c) => c.id)).toEqual([docs[2]?.numericId, docs[1]?.numericId]);
      expect(page1.campaigns.map((c) => c.status)).toEqual(['Running', 'Draft']);
      for (const c of page1.campaigns) {
        expect(Object.values(campaignStatusNames.voltmx)).toContain(c.status);
        for (const date of [c.createdDateStr, c.lastModifiedDateStr]) expect(date).toMatch(VOLTMX_DATE);
      }
      expect(page1.campaigns[0]?.startDateStr).toMatch(VOLTMX_DATE);
      expect(page1.campaigns[1]?.startDateStr).toBe('');

      const second = await call('GET', '?start=2&pageSize=2', { headers });
      expect((second.json as unknown as typeof LIST_SAMPLE).campaigns.map((c) => c.id)).toEqual([
        docs[0]?.numericId,
      ]);
      const defaults = await call('GET', '', { headers });
      expect((defaults.json as unknown as typeof LIST_SAMPLE).campaigns).toHaveLength(3);
    });

    it.each([
      ['pageSize 0', '?pageSize=0', /pageSize: must be at least 1/],
      ['pageSize above 100', '?pageSize=101', /pageSize: must be at most 100/],
      ['a negative start', '?start=-1', /start: must be 0 or more/],
      ['a start that is not a number', '?start=first', /start: must be a number/],
    ])('answers 400 for %s', async (_label, query, details) => {
      const res = await call('GET', query);
      expect(res.status).toBe(400);
      expect(res.json).toEqual({
        message: 'Invalid request format',
        details: expect.stringMatching(details) as string,
      });
    });

    it('shows one campaign by long or by our id, in the shape of Get Campaign Details', async () => {
      const doc = await campaign();
      const byNumber = await call('GET', `/${doc.numericId}`);
      expect(byNumber.status).toBe(200);
      expect(shapeMismatches(byNumber.json, LIST_SAMPLE.campaigns[0], { allowExtraKeys: true })).toEqual([]);
      expect(byNumber.json).toMatchObject({
        id: doc.numericId,
        name: 'volt mx test',
        status: 'Draft',
        campaignId: doc._id,
        code: doc.code,
        totalContacts: 2,
      });
      const byId = await call('GET', `/${doc._id}`);
      expect(byId.json).toEqual(byNumber.json);
      expect((await call('GET', `/${doc.numericId}`, { headers: {} })).status).toBe(401);
    });

    it('answers an unknown route under /api/v1/campaigns in its own envelope', async () => {
      const res = await call('POST', '/3/launch');
      expect(res.status).toBe(404);
      expect(res.text).toBe(
        '{\n  "message" : "Resource not found",\n  "details" : "No route for POST /api/v1/campaigns/3/launch"\n}',
      );
    });
  });
});

/** Serves `ctx` with the full API on a port of its own while `fn` runs. */
async function withApp(ctx: EngineContext, fn: (base: string) => Promise<void>): Promise<void> {
  const server: Server = createApp(ctx).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
