import { MongoClient, type Document } from 'mongodb';
import { CampaignReports } from '../../src/campaigns/reports';
import { CampaignStore, contactsOf } from '../../src/campaigns/store';
import type { CallDoc } from '../../src/campaigns/model';
import { contactWorkflowId, dialIdempotencyKey } from '../../src/domain/ids';
import { ALWAYS_OPEN, storedCampaign } from '../support/campaigns';
import { startEngine, type Engine } from '../support/engine';

/**
 * The reports and listings of one campaign on a database that holds others: the local
 * MongoDB-wire server reads calls and contacts through `_id` alone, so each read of a campaign's
 * calls or contacts must hold a range of `_id`, or it reads every call or contact of every
 * campaign; and an account's campaigns are listed through the index of their account.
 */
describe('reads of one campaign among others', () => {
  let engine: Engine;
  let client: MongoClient;
  /** The same database through a client that reports every command it sends. */
  let store: CampaignStore;
  let reports: CampaignReports;
  const reads: { collection: string; filter: { _id?: unknown } }[] = [];

  beforeAll(async () => {
    engine = await startEngine();
    client = new MongoClient(process.env.MONGODB_URI as string, { monitorCommands: true });
    client.on('commandStarted', (e) => {
      const { find, aggregate, filter, pipeline } = e.command as {
        find?: string;
        aggregate?: string;
        filter?: Document;
        pipeline?: { $match?: Document }[];
      };
      if (find) reads.push({ collection: find, filter: filter ?? {} });
      if (aggregate) reads.push({ collection: aggregate, filter: pipeline?.[0]?.$match ?? {} });
    });
    await client.connect();
    store = new CampaignStore(client.db(engine.mongo.db.databaseName));
    reports = new CampaignReports(store);
  });
  afterAll(async () => {
    await client?.close();
    await engine?.stop();
  });

  const call = (
    campaignId: string,
    contactId: string,
    attempt: number,
    outcome: CallDoc['outcome'],
  ): CallDoc => ({
    _id: dialIdempotencyKey(contactWorkflowId(campaignId, contactId), attempt),
    callId: `provider-${campaignId}-${contactId}-${attempt}`,
    campaignId,
    contactId,
    accountId: engine.accountId,
    attempt,
    phone: '+14155550100',
    status: 'ended',
    outcome,
    durationS: outcome === 'answered' ? 40 : 0,
    createdAt: new Date(Date.UTC(2026, 11, 1, 9, 0, attempt)),
    endedAt: new Date(Date.UTC(2026, 11, 1, 9, 1, attempt)),
  });

  it("reads a campaign's calls by their range of _id, and only its own", async () => {
    // The second campaign's id extends the first's prefix: its calls' keys do too.
    const [ours, longer, other] = ['c1', 'c1-contact-x', 'c2'];
    await store.calls.insertMany([
      call(ours, 'k1', 1, 'no_answer'),
      call(ours, 'k1', 2, 'answered'),
      call(ours, 'k2', 1, 'busy'),
      call(longer, 'k1', 1, 'answered'),
      call(other, 'k1', 1, 'answered'),
    ]);
    reads.length = 0;

    const stats = await reports.callStats([ours, other, ours]);
    expect(stats.get(ours)).toMatchObject({
      attempts: 3,
      redialAttempts: 1,
      answered: 1,
      totalDurationS: 40,
    });
    expect(stats.get(other)).toMatchObject({ attempts: 1, answered: 1 });
    expect((await reports.allCalls({ _id: ours })).map((r) => r.attemptKey)).toEqual([
      call(ours, 'k1', 1, 'no_answer')._id,
      call(ours, 'k2', 1, 'busy')._id,
      call(ours, 'k1', 2, 'answered')._id,
    ]);
    expect((await reports.history({ _id: ours }, { limit: 1, offset: 1 })).total).toBe(3);
    expect((await store.listCalls(ours, { limit: 10, offset: 0, outcomes: ['answered'] })).length).toBe(1);
    expect(await store.countCalls(ours)).toMatchObject({ outcomes: { no_answer: 1, answered: 1, busy: 1 } });
    expect(await store.countCalls(longer)).toMatchObject({ outcomes: { answered: 1 } });

    const callReads = reads.filter((r) => r.collection === 'calls');
    expect(callReads.length).toBeGreaterThanOrEqual(7);
    for (const { filter } of callReads) {
      expect(Object.keys(filter._id as object).sort()).toEqual(['$gte', '$lt']);
    }
  });

  const settings = { name: 'reads', agentId: 'agent-1', callingHours: ALWAYS_OPEN };
  const numbers = ['+14155550101', '+14155550102', '+14155550103'];
  const expectRangeReads = (collection: string) => {
    const of = reads.filter((r) => r.collection === collection);
    expect(of.length).toBeGreaterThan(0);
    for (const { filter } of of) expect(Object.keys(filter._id as object).sort()).toEqual(['$gte', '$lt']);
  };

  it("reads a campaign's contacts by their range of _id, and only its own", async () => {
    const campaign = await engine.service.createCampaign(engine.accountId, settings);
    const other = await engine.service.createCampaign(engine.accountId, settings);
    await engine.service.uploadContacts(
      engine.accountId,
      campaign._id,
      numbers.map((phone_number) => ({ phone_number })),
    );
    await engine.service.uploadContacts(engine.accountId, other._id, [
      { phone_number: numbers[0] as string },
    ]);
    const stored = await storedCampaign(engine, campaign._id);
    reads.length = 0;

    const listed = await store.listContacts(stored, { limit: 10, offset: 0 });
    expect(listed.map((c) => c.phone)).toEqual(numbers);
    for (const c of listed) expect(c._id.startsWith(`${campaign._id}:`)).toBe(true);
    expect(await store.countContacts(stored)).toEqual({ pending: 3 });
    expect(await reports.scheduleSplit(stored)).toEqual({ scheduled: 0, immediate: 3 });
    expect(await store.contacts.countDocuments(contactsOf(stored))).toBe(3);
    expectRangeReads('contacts');
  });

  it('keeps the contact ids of a campaign created before they began with its id, and its numbers once', async () => {
    const campaign = await engine.service.createCampaign(engine.accountId, settings);
    await engine.store.campaigns.updateOne({ _id: campaign._id }, { $unset: { contactIdPrefix: '' } });
    const upload = (phones: string[]) =>
      engine.service.uploadContacts(
        engine.accountId,
        campaign._id,
        phones.map((phone_number) => ({ phone_number })),
      );

    expect(await upload(numbers.slice(0, 2))).toMatchObject({ uploaded: 2, duplicates: 0 });
    expect(await upload(numbers)).toMatchObject({ uploaded: 1, duplicates: 2 });
    const stored = await storedCampaign(engine, campaign._id);
    const listed = await store.listContacts(stored, { limit: 10, offset: 0 });
    expect(listed.map((c) => c.phone)).toEqual(numbers);
    for (const c of listed) expect(c._id).toMatch(/^[0-9a-f]{24}$/);
    expect(await store.countContacts(stored)).toEqual({ pending: 3 });
  });

  it("lists an account's campaigns, newest first, through the index of its campaigns", async () => {
    const [mine, theirs] = ['account-listed', 'account-not-listed'];
    const created: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      created.push((await engine.service.createCampaign(mine, settings))._id);
      await engine.service.createCampaign(theirs, settings);
      // Distinct creation times, so that newest first is one order.
      await new Promise((r) => setTimeout(r, 5));
    }
    const running = created[1] as string;
    await store.transition(running, ['draft'], { status: 'running' });
    reads.length = 0;

    const ids = (docs: { _id: string }[]) => docs.map((c) => c._id);
    expect(ids(await store.listCampaigns(mine, { limit: 2, offset: 1 }))).toEqual([created[2], created[1]]);
    expect(ids(await store.listCampaigns(mine, { statuses: ['draft'], limit: 10, offset: 0 }))).toEqual([
      created[3],
      created[2],
      created[0],
    ]);
    expect(await store.activeCampaignIds(mine)).toEqual([running]);
    expect(await store.campaigns.countDocuments({ accountId: mine, deletedAt: { $exists: false } })).toBe(4);

    const lists = reads.filter((r) => r.collection === 'campaigns');
    expect(lists).toHaveLength(4);
    for (const { filter } of lists) {
      const plan = await engine.mongo.db.command({
        explain: { find: 'campaigns', filter },
        verbosity: 'queryPlanner',
      });
      expect(JSON.stringify(plan)).not.toMatch(/COLLSCAN|detail=SCAN /);
    }
  });
});
