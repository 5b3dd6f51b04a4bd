import { MongoClient, type Db } from 'mongodb';

export interface Mongo {
  client: MongoClient;
  db: Db;
  /** Whether the server answers queries from secondary indexes (see `answersFromIndexes`). */
  queryIndexes: boolean;
  close(): Promise<void>;
}

export async function connectMongo(uri: string, dbName: string): Promise<Mongo> {
  const client = new MongoClient(uri, {
    // Fail fast at start-up rather than hanging for the driver's 30 s default.
    serverSelectionTimeoutMS: 10_000,
    maxPoolSize: 50,
  });
  await client.connect();
  const db = client.db(dbName);
  const queryIndexes = answersFromIndexes(await db.admin().command({ buildInfo: 1 }));
  return { client, db, queryIndexes, close: () => client.close() };
}

/**
 * Whether a server, by its `buildInfo`, reads through secondary indexes. FerretDB v1 (the local
 * server of `npm run dev` and the tests) pushes only `_id` equality down to its SQLite or
 * PostgreSQL tables and scans for every other filter, so there an index is upkeep on every write
 * that no read uses: 1,000 contacts took some 25 ms longer to insert with the contacts' two.
 * MongoDB and FerretDB v2 use them.
 */
export function answersFromIndexes(buildInfo: Record<string, unknown>): boolean {
  const ferretdb = buildInfo.ferretdbVersion;
  return typeof ferretdb !== 'string' || /^v?([2-9]|\d{2,})\./.test(ferretdb);
}

export async function pingMongo(db: Db): Promise<void> {
  await db.command({ ping: 1 });
}
