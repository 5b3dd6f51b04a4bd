import { MongoClient, type Document } from 'mongodb';
import { CampaignStore, NAMES_BACKFILLED } from '../../src/campaigns/store';
import type { CampaignDoc } from '../../src/campaigns/model';
import { ALWAYS_OPEN } from '../support/campaigns';
import { startEngine, type Engine } from '../support/engine';

/**
 * A campaign is named by its id, its numeric id (Volt MX) or its code (VoiceGenie). The local
 * MongoDB-wire server reads through `_id` alone, so every lookup must go by `_id`: one by a code
 * that filtered on the campaign's fields read every campaign of the database.
 */
describe('campaign names', () => {
  let engine: Engine;
  let client: MongoClient;
  /** The same database through a client that reports every command it sends. */
  let store: CampaignStore;
  const filters: Document[] = [];
  const settings = { name: 'named', agentId: 'agent-1', callingHours: ALWAYS_OPEN };

  beforeAll(async () => {
    engine = await startEngine();
    client = new MongoClient(process.env.MONGODB_URI as string, { monitorCommands: true });
    client.on('commandStarted', (e) => {
      const { find, filter } = e.command as { find?: string; filter?: Document };
      if (e.commandName === 'find') filters.push({ collection: find, ...filter });
    });
    await client.connect();
    store = new CampaignStore(client.db(engine.mongo.db.databaseName));
  });
  afterAll(async () => {
    await client?.close();
    await engine?.stop();
  });

  it('finds a campaign by each of its names, reading by _id only', async () => {
    const campaign = await engine.service.createCampaign(engine.accountId, settings);
    filters.length = 0;
    for (const ref of [campaign._id, String(campaign.numericId), campaign.code]) {
      expect((await store.findCampaign(engine.accountId, ref))?._id).toBe(campaign._id);
    }
    expect(await store.findCampaign(engine.accountId, 'CAMP-1999-001')).toBeNull();
    expect(await store.findCampaign(engine.accountId, '999999999999')).toBeNull();
    expect(filters.length).toBeGreaterThan(0);
    for (const filter of filters) expect(Object.keys(filter).sort()).toEqual(['_id', 'collection']);
  });

  it("finds each account's own campaign under a code both have, and not another's by numeric id", async () => {
    const [a, b] = [await engine.newAccount('names: a'), await engine.newAccount('names: b')];
    const ours = await engine.service.createCampaign(a.accountId, settings);
    const theirs = await engine.service.createCampaign(b.accountId, settings);
    expect(theirs.code).toBe(ours.code);
    expect((await store.findCampaign(a.accountId, ours.code))?._id).toBe(ours._id);
    expect((await store.findCampaign(b.accountId, ours.code))?._id).toBe(theirs._id);
    expect(await store.findCampaign(a.accountId, String(theirs.numericId))).toBeNull();
    expect(await store.findCampaign(a.accountId, theirs._id)).toBeNull();
  });

  it('does not find a deleted campaign by its names', async () => {
    const campaign = await engine.service.createCampaign(engine.accountId, settings);
    await engine.service.deleteCampaign(engine.accountId, campaign._id);
    expect(await store.findCampaign(engine.accountId, campaign.code)).toBeNull();
    expect(await store.findCampaign(engine.accountId, String(campaign.numericId))).toBeNull();
  });

  it('gives the campaigns written before names were kept their names, once', async () => {
    const template = await engine.service.createCampaign(engine.accountId, settings);
    const older = Array.from({ length: 1_203 }, (_, n): CampaignDoc => ({
      ...template,
      _id: `older${String(n).padStart(19, '0')}`,
      numericId: 900_000_000 + n,
      code: `CAMP-1999-${String(n).padStart(4, '0')}`,
      name: `older ${n}`,
    }));
    // As a version that kept no names wrote them: the campaigns alone, and no record of a backfill.
    await store.campaigns.insertMany(older);
    await client
      .db(engine.mongo.db.databaseName)
      .collection<{ _id: string }>('counters')
      .deleteOne({ _id: NAMES_BACKFILLED });
    const [first, last] = [older[0], older[1_202]] as [CampaignDoc, CampaignDoc];
    expect(await store.findCampaign(engine.accountId, last.code)).toBeNull();

    // Processes that start together each run it; a name already there is no error.
    await Promise.all([store.backfillNames(), engine.store.backfillNames()]);
    for (const c of [first, last, template]) {
      expect((await store.findCampaign(engine.accountId, c.code))?._id).toBe(c._id);
      expect((await store.findCampaign(engine.accountId, String(c.numericId)))?._id).toBe(c._id);
    }

    filters.length = 0;
    await store.backfillNames();
    expect(filters.filter((f) => f.collection === 'campaigns')).toEqual([]);
  });
});
