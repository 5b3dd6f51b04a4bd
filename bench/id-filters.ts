import { countArgs, round } from './client';
import { medianMs, withLocalMongo } from './local-mongo';

/**
 * `npx tsx bench/id-filters.ts [documents]`: what the engine's kinds of filter by `_id` cost on the
 * local MongoDB-wire server (the FerretDB build `npm run dev` uses, or MONGODB_URI's server) in a
 * collection of `documents` (default 20,000): the median of 9 of each, in ms.
 */
async function main(): Promise<void> {
  const [documents] = countArgs('npx tsx bench/id-filters.ts [documents]', 20_000);
  await withLocalMongo('id-filters', async (db) => {
    const docs = db.collection<{ _id: string; status: string }>('docs');
    for (let i = 0; i < documents; i += 1000) {
      const n = Math.min(1000, documents - i);
      await docs.insertMany(Array.from({ length: n }, (_, j) => ({ _id: `d${i + j}`, status: 'pending' })));
    }
    let next = 0;
    const someIds = (n: number) => Array.from({ length: n }, () => `d${(next++ * 7919) % documents}`);
    const cases: [string, () => Promise<unknown>][] = [
      ['updateOne {_id}', () => docs.updateOne({ _id: someIds(1)[0] }, { $set: { status: 'a' } })],
      [
        'updateOne {_id, status: {$in}} (a conditional move)',
        () =>
          docs.updateOne(
            { _id: someIds(1)[0], status: { $in: ['a', 'pending'] } },
            { $set: { status: 'b' } },
          ),
      ],
      [
        'updateMany {_id: {$in: 200 ids}, status} (a chunk of the cancel sweep)',
        () =>
          docs.updateMany({ _id: { $in: someIds(200) }, status: { $ne: 'c' } }, { $set: { status: 'c' } }),
      ],
      [
        'bulkWrite of 150 updateOne {_id} that match',
        () =>
          docs.bulkWrite(
            someIds(150).map((id) => ({
              updateOne: { filter: { _id: id }, update: { $set: { status: 'd' } } },
            })),
            { ordered: false },
          ),
      ],
    ];
    console.log(`${documents} documents`);
    for (const [name, run] of cases) console.log(`${name}: ${round(await medianMs(run))} ms`);
  });
}

void main();
