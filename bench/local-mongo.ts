import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { ensureMongo } from '../src/dev/infra';
import { freePort } from '../src/dev/processes';
import { percentile, round } from './client';

/**
 * Runs `measure` against a database of its own on the local MongoDB-wire server (the FerretDB
 * build `npm run dev` uses, or MONGODB_URI's server), then drops it and stops what it started.
 */
export async function withLocalMongo(name: string, measure: (db: Db) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), `campaign-engine-${name}-`));
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
    const db = client.db(`${name.replace(/\W/g, '_')}_${Date.now()}`);
    await measure(db);
    await db.dropDatabase();
  } finally {
    await client.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The median of `runs` runs of `run`, in ms. */
export async function medianMs(run: () => Promise<unknown>, runs = 9): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return percentile(times, 50);
}

/** Reads to time on a database a bench has filled: each case's median over `runs` runs. */
export interface ReadCases {
  title: string;
  runs: number;
  cases: [string, () => Promise<unknown>][];
}

/** The median of each case in ms, by the case's name. */
export interface TimedReads {
  title: string;
  medianMs: Record<string, number>;
}

export async function timeReads(reads: ReadCases): Promise<TimedReads> {
  const medians: Record<string, number> = {};
  for (const [name, run] of reads.cases) medians[name] = round(await medianMs(run, reads.runs));
  return { title: reads.title, medianMs: medians };
}

export function printReads({ title, medianMs: medians }: TimedReads): void {
  console.log(title);
  for (const [name, ms] of Object.entries(medians)) console.log(`${name}: ${ms} ms`);
}
