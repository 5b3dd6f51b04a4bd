import { MongoClient, type Db } from 'mongodb';
import type { Logger } from '../log';
import { HeartbeatWatch } from './heartbeat-watch';

export interface Mongo {
  client: MongoClient;
  db: Db;
  /** Whether the server answers queries from secondary indexes (see `answersFromIndexes`). */
  queryIndexes: boolean;
  close(): Promise<void>;
}

/** A connection not made in this long has failed; also the driver's bound on one server check. */
const CONNECT_TIMEOUT_MS = 10_000;
/** The driver's default, named because a streaming check may wait this long for its answer. */
const HEARTBEAT_FREQUENCY_MS = 10_000;

export interface MonitorWatchOptions {
  /** A server check outstanding this long has stopped, and the client is connected anew. */
  stuckAfterMs: number;
  everyMs: number;
}

/** Past the longest a check can take by the driver's own timeouts, with room for a busy event loop. */
const MONITOR_WATCH: MonitorWatchOptions = {
  stuckAfterMs: CONNECT_TIMEOUT_MS + HEARTBEAT_FREQUENCY_MS + 10_000,
  everyMs: 5_000,
};

export async function connectMongo(
  uri: string,
  dbName: string,
  log: Logger,
  watchOptions: MonitorWatchOptions = MONITOR_WATCH,
): Promise<Mongo> {
  const client = new MongoClient(uri, {
    // Fail fast at start-up rather than hanging for the driver's 30 s default.
    serverSelectionTimeoutMS: 10_000,
    connectTimeoutMS: CONNECT_TIMEOUT_MS,
    heartbeatFrequencyMS: HEARTBEAT_FREQUENCY_MS,
    maxPoolSize: 50,
  });
  await client.connect();
  const db = client.db(dbName);
  const queryIndexes = answersFromIndexes(await db.admin().command({ buildInfo: 1 }));
  const stopWatch = watchMonitor(client, log.child({ component: 'mongo' }), watchOptions);
  return {
    client,
    db,
    queryIndexes,
    close: async () => {
      stopWatch();
      await client.close();
    },
  };
}

/**
 * Connects the client anew when its server monitor stops. The driver (6.22, and 7.9.1 alike)
 * can leave a server check waiting for ever: when the server closes the monitor's socket and the
 * check writes to it after Node has destroyed it but before the socket's `close` event, the write
 * fails without an `error` event and the check awaits a `drain` that never comes. The monitor
 * then never checks again, the server stays `Unknown`, and every operation fails server selection
 * although the server is back (seen once in ten MongoDB restarts under load: the API refused every
 * provider callback until it was restarted). Closing and connecting the client starts a new
 * monitor; the `Db` and collections taken from it work on through the new connection.
 */
function watchMonitor(client: MongoClient, log: Logger, options: MonitorWatchOptions): () => void {
  const watch = new HeartbeatWatch(options.stuckAfterMs);
  client.on('serverHeartbeatStarted', (e) => watch.started(e.connectionId, Date.now()));
  client.on('serverHeartbeatSucceeded', (e) => watch.ended(e.connectionId));
  client.on('serverHeartbeatFailed', (e) => watch.ended(e.connectionId));
  /** `closed`: connecting anew failed, and a closed client never connects again by itself. */
  let state: 'watching' | 'connecting' | 'closed' | 'stopped' = 'watching';
  const connect = () => {
    // The process is closing the client itself.
    if (state === 'stopped') return;
    state = 'connecting';
    client.connect().then(
      () => {
        state = 'watching';
        log.info('MongoDB client connected anew');
      },
      (err: unknown) => {
        state = 'closed';
        log.error({ err }, 'MongoDB client not connected anew; trying again');
      },
    );
  };
  const timer = setInterval(() => {
    if (state === 'closed') connect();
    if (state !== 'watching') return;
    const stuck = watch.stuck(Date.now());
    if (!stuck) return;
    state = 'connecting';
    watch.clear();
    log.error(stuck, 'MongoDB server check never ended; connecting the client anew');
    client.close().then(connect, connect);
  }, options.everyMs);
  timer.unref();
  return () => {
    state = 'stopped';
    clearInterval(timer);
  };
}

/**
 * Whether a server, by its `buildInfo`, reads through secondary indexes. FerretDB v1 (the local
 * server of `npm run dev` and the tests) pushes only `_id` equality down to its SQLite or
 * PostgreSQL tables and scans for every other filter (the local build also a string field's
 * equality, see `buildFerretDb`), so there an index is upkeep on every write that few reads use:
 * 1,000 contacts took some 25 ms longer to insert with the contacts' two. MongoDB and FerretDB v2
 * use them.
 */
export function answersFromIndexes(buildInfo: Record<string, unknown>): boolean {
  const ferretdb = buildInfo.ferretdbVersion;
  return typeof ferretdb !== 'string' || /^v?([2-9]|\d{2,})\./.test(ferretdb);
}

export async function pingMongo(db: Db): Promise<void> {
  await db.command({ ping: 1 });
}
