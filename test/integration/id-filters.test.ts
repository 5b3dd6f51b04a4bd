import { ObjectId, type Collection } from 'mongodb';
import { startEngine, type Engine } from '../support/engine';
import { documentElement, documentOf, sendRawCommand } from '../support/raw-command';

interface Doc {
  _id: string | number | ObjectId;
  status: string;
  n: number;
}

/**
 * The engine's conditional moves ({_id, status}) and sweeps ({_id: {$in}, status}), and its
 * filters on fields (an account's campaigns), on the MongoDB-wire server it runs on: the right
 * documents, read through the `_id` index or the field's (the local FerretDB build is patched for
 * these, see `buildFerretDb`), and bulk writes of any size.
 */
describe('filters by _id and more', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine();
  });
  afterAll(async () => {
    await engine?.stop();
  });

  /** `count` documents d0, d1, …; every third is `done`, the others `pending`. */
  const collection = async (name: string, count: number) => {
    const c = engine.mongo.db.collection<Doc>(name);
    await c.insertMany(
      Array.from({ length: count }, (_, n) => ({
        _id: `d${n}`,
        status: n % 3 === 0 ? 'done' : 'pending',
        n,
      })),
    );
    return c;
  };
  const ids = async (c: Collection<Doc>, status: string) =>
    (await c.find({ status }).toArray()).map((d) => d._id).sort();

  it('moves exactly the documents that match the _id and the other conditions', async () => {
    const c = await collection('id_filter_moves', 300);

    expect(
      (await c.updateOne({ _id: 'd1', status: { $in: ['pending'] } }, { $set: { status: 'moved' } }))
        .modifiedCount,
    ).toBe(1);
    expect(
      (await c.updateOne({ _id: 'd3', status: { $in: ['pending'] } }, { $set: { status: 'moved' } }))
        .modifiedCount,
    ).toBe(0);
    expect(await c.findOne({ _id: 'd4', n: 5 })).toBeNull();
    expect(await c.findOne({ _id: 'd4', n: 4 })).toMatchObject({ status: 'pending' });

    // Missing and repeated ids, and ids whose documents are in another state, among them.
    const swept = await c.updateMany(
      { _id: { $in: ['d0', 'd1', 'd2', 'd4', 'd5', 'missing', 'd2'] }, status: 'pending' },
      { $set: { status: 'swept' } },
    );
    expect(swept.modifiedCount).toBe(3);
    expect(await ids(c, 'swept')).toEqual(['d2', 'd4', 'd5']);
    expect(await ids(c, 'moved')).toEqual(['d1']);

    expect(await c.countDocuments({ _id: { $in: ['d6', 'd7', 'd8'] }, status: 'pending' })).toBe(2);
    expect((await c.deleteMany({ _id: { $in: ['d7', 'd9'] }, status: 'pending' })).deletedCount).toBe(1);
    expect(await c.countDocuments({})).toBe(299);
  });

  it('matches ids of every type, including those the index cannot answer', async () => {
    const c = engine.mongo.db.collection<Doc>('id_filter_types');
    const oid = new ObjectId();
    await c.insertMany([
      { _id: 'seven', status: 'pending', n: 1 },
      { _id: 7, status: 'pending', n: 2 },
      { _id: oid, status: 'pending', n: 3 },
    ]);
    expect(await c.findOne({ _id: oid, status: 'pending' })).toMatchObject({ n: 3 });
    expect(await c.countDocuments({ _id: { $in: [oid, 'seven'] }, n: { $gt: 1 } })).toBe(1);
    // A number matches across numeric types: no text comparison can answer this one.
    expect(await c.countDocuments({ _id: { $in: [7.0, 'seven'] }, status: 'pending' })).toBe(2);
    expect(await c.countDocuments({ _id: { $in: [] }, status: 'pending' })).toBe(0);
  });

  it('finds exactly the ids between two strings, whatever characters the ids hold', async () => {
    const c = engine.mongo.db.collection<Doc>('id_filter_ranges');
    const strings = [
      'campaign-a-contact-1:1',
      'campaign-a-contact-1:2',
      'campaign-a-contact-',
      'campaign-a-contact',
      'campaign-a-contact.',
      'campaign-a-contact-b-contact-1:1',
      'campaign-a-contact-"quoted":1',
      'campaign-a-contact-\\back:1',
      'campaign-a-contact-<&>:1',
      'campaign-a-contact-é:1',
      'campaign-a-contact-\u0001:1',
      'campaign-a-contact-\u{1F600}:1',
      'campaign-a-contacts',
      'campaign-b-contact-1:1',
      'campaign-a"contact-1',
      'acc|*|+12125550100',
      'acc|*|+12125550101',
      'acc|*',
      'acc|c1|+12125550100',
      'campaign-',
      '',
    ];
    const all: Doc['_id'][] = [...strings, 7, new ObjectId()];
    await c.insertMany(all.map((_id, n) => ({ _id, status: n % 2 ? 'done' : 'pending', n })));
    const utf8 = (s: string) => Buffer.from(s, 'utf8');
    const between = (from: string, to: string, upperIncluded: boolean) =>
      strings
        .filter((s) => {
          const [lo, hi] = [Buffer.compare(utf8(s), utf8(from)), Buffer.compare(utf8(s), utf8(to))];
          return lo >= 0 && (hi < 0 || (upperIncluded && hi === 0));
        })
        .sort();
    const found = async (filter: object) =>
      (await c.find(filter).toArray()).map((d) => d._id as string).sort();
    const ranges: [string, string][] = [
      ['campaign-a-contact-', 'campaign-a-contact.'],
      ['campaign-a-contact-1', 'campaign-a-contact-1:2'],
      ['campaign-a', 'campaign-b'],
      ['campaign-a-contact-"', 'campaign-a-contact-<'],
      ['"', 'c'],
      ['', 'campaign-a-contact-1:1'],
      ['campaign-b', 'campaign-a'],
      ['acc|*|', 'acc|*}'],
      ['acc|*|+1212555010', 'acc|*|+1212555011'],
    ];
    for (const [from, to] of ranges) {
      expect(await found({ _id: { $gte: from, $lt: to } })).toEqual(between(from, to, false));
      expect(await found({ _id: { $gte: from, $lte: to } })).toEqual(between(from, to, true));
      const pending = between(from, to, false).filter((s) => strings.indexOf(s) % 2 === 0);
      expect(await found({ _id: { $gte: from, $lt: to }, status: 'pending' })).toEqual(pending);
    }
    expect(await found({ _id: { $gt: 'campaign-a-contact-', $lt: 'campaign-a-contact.' } })).toEqual(
      between('campaign-a-contact-', 'campaign-a-contact.', false).filter((s) => s !== 'campaign-a-contact-'),
    );
  });

  it('finds exactly the documents whose fields equal strings, arrays that hold them among them', async () => {
    const c = engine.mongo.db.collection<{ _id: number; accountId?: unknown; status?: unknown }>(
      'field_filter_values',
    );
    const values: unknown[] = [
      'acc-1',
      'acc-2',
      'acc-10',
      'acc-1 ',
      'ACC-1',
      ['acc-1', 'acc-2'],
      ['acc-3'],
      [],
      { id: 'acc-1' },
      'say "acc-1"',
      'back\\slash',
      '<&>',
      'é',
      '\u{1F600}',
      '',
      1,
      null,
      undefined,
    ];
    await c.insertMany(
      values.map((accountId, n) => ({
        _id: n,
        ...(accountId === undefined ? {} : { accountId }),
        status: n % 2 ? 'done' : 'pending',
      })),
    );
    await c.createIndex({ accountId: 1 });
    const matches = (stored: unknown, wanted: string) =>
      stored === wanted || (Array.isArray(stored) && stored.includes(wanted));
    const expected = (wanted: string, status?: string) =>
      values
        .map((v, n) => ({ v, n }))
        .filter(({ v, n }) => matches(v, wanted) && (!status || (n % 2 ? 'done' : 'pending') === status))
        .map(({ n }) => n);
    const found = async (filter: object) =>
      (await c.find(filter).toArray()).map((d) => d._id).sort((a, b) => a - b);
    // Every string stored, and strings no document holds alone or at all.
    const asked = [...values.filter((v): v is string => typeof v === 'string'), 'acc-3', 'none'];
    for (const wanted of asked) {
      expect(await found({ accountId: wanted })).toEqual(expected(wanted));
      expect(await found({ accountId: wanted, status: 'pending' })).toEqual(expected(wanted, 'pending'));
    }
    expect(await c.countDocuments({ accountId: 'acc-1', status: { $in: ['done'] } })).toBe(
      expected('acc-1', 'done').length,
    );
    expect(await found({ accountId: null })).toEqual([16, 17]);
    expect(await found({ 'accountId.id': 'acc-1' })).toEqual([8]);
  });

  it('reads such filters through the _id index, and fields equal to strings through theirs', async () => {
    const c = await collection('id_filter_plans', 10);
    const plan = async (filter: object) =>
      JSON.stringify(
        await engine.mongo.db.command({
          explain: { find: c.collectionName, filter },
          verbosity: 'queryPlanner',
        }),
      );
    const scan = /COLLSCAN|detail=SCAN /;
    expect(await plan({ _id: 'd1', status: { $in: ['pending'] } })).not.toMatch(scan);
    expect(await plan({ _id: { $in: ['d1', 'd2'] }, status: 'pending' })).not.toMatch(scan);
    expect(await plan({ _id: { $gte: 'd1', $lt: 'd2' }, status: 'pending' })).not.toMatch(scan);
    expect(await plan({ status: 'pending' })).toMatch(scan);
    await c.createIndex({ status: 1, n: -1 });
    expect(await plan({ status: 'pending' })).not.toMatch(scan);
    expect(await plan({ status: 'pending', n: { $gt: 3 } })).not.toMatch(scan);
  });

  it('answers a filter that gives a key twice, which it leaves to its handler, and goes on answering', async () => {
    const c = await collection('field_filter_twice', 9);
    const { host, port } = engine.mongo.client.options.hosts[0] as { host: string; port: number };
    const found = async (...filter: object[]) => {
      const command = documentOf([
        { find: c.collectionName },
        documentElement('filter', documentOf(filter)),
        { $db: engine.mongo.db.databaseName },
      ]);
      const answer = await sendRawCommand(host, port, command);
      return (answer.cursor as { firstBatch: Doc[] }).firstBatch.map((d) => d._id).sort();
    };
    // The bytes are what they say: a filter given once finds what the driver's does.
    expect(await found({ status: 'done' })).toEqual(await ids(c, 'done'));
    // Each condition holds, as MongoDB reads such a filter: one key's two values find nothing.
    expect(await found({ status: 'done' }, { status: 'pending' })).toEqual([]);
    expect(await found({ status: 'done' }, { status: 'done' })).toEqual(['d0', 'd3', 'd6']);
    expect(await found({ _id: 'd3', status: 'done' }, { _id: 'd3' })).toEqual(['d3']);
    expect(await found({ _id: 'd3' }, { _id: 'd6' })).toEqual([]);
    expect(await ids(c, 'done')).toEqual(['d0', 'd3', 'd6']);
  });

  it('takes an update command of hundreds of statements that each match', async () => {
    const c = await collection('id_filter_bulk', 400);
    const result = await c.bulkWrite(
      Array.from({ length: 250 }, (_, i) => ({
        updateOne: { filter: { _id: `d${i}` }, update: { $set: { n: 1000 + i } } },
      })),
      { ordered: false },
    );
    expect(result.matchedCount).toBe(250);
    expect(result.modifiedCount).toBe(250);
    expect((await c.updateOne({ _id: 'd399' }, { $set: { status: 'after' } })).modifiedCount).toBe(1);
  });

  it('adds to the do-not-call list numbers it holds already, hundreds at once', async () => {
    const phones = Array.from({ length: 150 }, (_, i) => `+1212555${String(1000 + i)}`);
    expect(await engine.dnc.add(engine.accountId, phones, { source: 'api' })).toBe(150);
    expect(await engine.dnc.add(engine.accountId, phones, { source: 'api' })).toBe(0);
    expect(await engine.dnc.isBlocked(engine.accountId, 'any-campaign', phones[149] as string)).toBe(true);
  });

  it("blocks a number on the account's list in every campaign, and on a campaign's list in that campaign only", async () => {
    const [everywhere, inA, nowhere] = ['+12125559001', '+12125559002', '+12125559003'];
    await engine.dnc.add(engine.accountId, [everywhere], { source: 'api' });
    await engine.dnc.add(engine.accountId, [inA], { source: 'api', campaignId: 'campaign-a' });
    const blocked = (campaignId: string, phone: string) =>
      engine.dnc.isBlocked(engine.accountId, campaignId, phone);
    expect(await blocked('campaign-a', everywhere)).toBe(true);
    expect(await blocked('campaign-b', everywhere)).toBe(true);
    expect(await blocked('campaign-a', inA)).toBe(true);
    expect(await blocked('campaign-b', inA)).toBe(false);
    expect(await blocked('campaign-a', nowhere)).toBe(false);
    expect(await engine.dnc.isBlocked('another-account', 'campaign-a', everywhere)).toBe(false);
  });
});
