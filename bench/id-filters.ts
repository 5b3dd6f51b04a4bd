import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MongoClient } from 'mongodb';
import { ensureMongo } from '../src/dev/infra';
import { freePort } from '../src/dev/processes';
import { countArgs, percentile, round } from './client';

/**
 * `npx tsx bench/id-filters.ts [documents]`: what the engine's kinds of filter by `_id` cost on the
 * local MongoDB-wire server (the FerretDB build `npm run dev` uses, or MONGODB_URI's server) in a
 * collection of `documents` (default 20,000): the median of 9 of each, in ms.
 */
async function main(): Promise<void> {
  const [documents] = countArgs('npx tsx bench/id-filters.ts [documents]', 20_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'campaign-engine-id-filters-'));
  const server = await ensureMongo({
    dataDir,
    cacheDir: resolve(__dirname, '..', process.env.CACHE_DIR ?? '.cache'),
    namespace: 'default',
    log: (line) => console.log(`[infra] ${line}`),
    port: await freePort(),
  });
  const client = new MongoClient(server.uri);
  try {
    await client.connect();
    const db = client.db(`id_filters_${Date.now()}`);
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
    for (const [name, run] of cases) {
      const times: number[] = [];
      for (let i = 0; i < 9; i += 1) {
        const started = performance.now();
        await run();
        times.push(performance.now() - started);
      }
      console.log(`${name}: ${round(percentile(times, 50))} ms`);
    }
    await db.dropDatabase();
  } finally {
    await client.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
