import { startEngine, type Engine } from '../support/engine';

describe('indexes on the local MongoDB-wire server', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine();
  });
  afterAll(async () => {
    await engine?.stop();
  });

  const indexNames = async (collection: string) => {
    const indexes = await engine.mongo.db.collection(collection).indexes();
    return indexes.map((i) => i.name).sort();
  };

  it('keeps only the indexes FerretDB enforces or reads through, none it would maintain without reading', async () => {
    expect(engine.mongo.queryIndexes).toBe(false);
    expect(await indexNames('campaigns')).toEqual(['_id_', 'accountId_1_createdAt_-1', 'numericId_1']);
    await engine.mongo.db.collection('contacts').insertOne({ _id: 'probe' } as never);
    expect(await indexNames('contacts')).toEqual(['_id_']);
  });

  it('creates the listing indexes where the server reads through them', async () => {
    await engine.store.ensureIndexes({ queryIndexes: true });
    expect(await indexNames('contacts')).toEqual(['_id_', 'campaignId_1_seq_1', 'campaignId_1_status_1']);
    expect(await indexNames('calls')).toEqual(['_id_', 'campaignId_1_callId_1', 'campaignId_1_createdAt_1']);
    // A do-not-call list's page, newest first, read in its order.
    await engine.dnc.ensureIndexes({ queryIndexes: true });
    expect(await indexNames('dnc')).toEqual(['_id_', 'accountId_1_campaignId_1_createdAt_-1__id_1']);
  });

  it('drops the do-not-call index of earlier releases, keeping the list, on a server with or without it', async () => {
    const dnc = engine.mongo.db.collection('dnc');
    await engine.dnc.add('acct-old-index', ['+14155550100', '+14155550101'], { source: 'api' });
    await dnc.createIndex({ accountId: 1, campaignId: 1, phone: 1 });
    expect(await indexNames('dnc')).toContain('accountId_1_campaignId_1_phone_1');
    await engine.dnc.ensureIndexes({ queryIndexes: false });
    expect(await indexNames('dnc')).not.toContain('accountId_1_campaignId_1_phone_1');
    const kept = await engine.dnc.list('acct-old-index', { limit: 10, offset: 0 });
    expect(kept.map((e) => e.phone).sort()).toEqual(['+14155550100', '+14155550101']);
    // Again, with nothing left to drop, and on a database that has no list yet.
    await engine.dnc.ensureIndexes({ queryIndexes: false });
    await dnc.drop();
    await engine.dnc.ensureIndexes({ queryIndexes: false });
    expect(await engine.mongo.db.listCollections({ name: 'dnc' }).toArray()).toEqual([]);
  });
});
