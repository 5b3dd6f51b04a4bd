import { MongoClient } from 'mongodb';
import { DncStore } from '../../src/dnc/store';
import { startEngine, type Engine } from '../support/engine';

/**
 * An upload's numbers are checked against the do-not-call lists by the entries' ids, so that the
 * check costs what the upload's own numbers do however long the lists grow, and a list is listed
 * by its range of ids: the local MongoDB-wire server reads any other filter by reading every
 * entry of every account.
 */
describe('reads of the do-not-call lists', () => {
  let engine: Engine;
  let client: MongoClient;
  /** The same database through a client that reports every command it sends. */
  let dnc: DncStore;
  const filters: object[] = [];

  beforeAll(async () => {
    engine = await startEngine();
    client = new MongoClient(process.env.MONGODB_URI as string, { monitorCommands: true });
    client.on('commandStarted', (e) => {
      const { find, filter } = e.command as { find?: string; filter?: object };
      if (find === 'dnc') filters.push(filter ?? {});
    });
    await client.connect();
    dnc = new DncStore(client.db(engine.mongo.db.databaseName));
  });
  afterAll(async () => {
    await client?.close();
    await engine?.stop();
  });

  const number = (n: number) => `+1646${String(2_000_000 + n)}`;

  it("finds the numbers on the account's list and the campaign's, and no one else's, reading by _id", async () => {
    const account = (await engine.newAccount('dnc check')).accountId;
    const upload = Array.from({ length: 1500 }, (_, i) => number(i));
    await dnc.add(account, [number(0), number(1499), '+16469999999'], { source: 'api' });
    await dnc.add(account, [number(7)], { source: 'api', campaignId: 'ours' });
    await dnc.add(account, [number(8)], { source: 'api', campaignId: 'theirs' });
    await dnc.add('another account', [number(9)], { source: 'api' });
    filters.length = 0;

    const blocked = await dnc.blockedAmong(account, 'ours', [...upload, number(0)]);

    expect([...blocked].sort()).toEqual([number(0), number(1499), number(7)].sort());
    expect(filters).toHaveLength(3);
    for (const filter of filters) expect(Object.keys(filter)).toEqual(['_id']);
    expect(await dnc.blockedAmong(account, 'ours', [])).toEqual(new Set());
  });

  it("lists one list's entries, reading the range of _id they share", async () => {
    const account = (await engine.newAccount('dnc list')).accountId;
    await dnc.add(account, [number(1), number(2)], { source: 'api' });
    await dnc.add(account, [number(3)], { source: 'api', campaignId: 'ours' });
    filters.length = 0;

    const everywhere = await dnc.list(account, { limit: 10, offset: 0 });
    const ours = await dnc.list(account, { campaignId: 'ours', limit: 10, offset: 0 });

    expect(everywhere.map((e) => e.phone).sort()).toEqual([number(1), number(2)]);
    expect(ours.map((e) => e.phone)).toEqual([number(3)]);
    for (const filter of filters)
      expect(Object.keys((filter as { _id: object })._id).sort()).toEqual(['$gte', '$lt']);
  });
});
