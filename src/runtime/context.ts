import { Client, Connection } from '@temporalio/client';
import type { CountryCode } from 'libphonenumber-js';
import { AccountStore } from '../accounts/store';
import { CampaignService } from '../campaigns/service';
import { CampaignStore } from '../campaigns/store';
import type { Config } from '../config';
import { IdempotencyStore } from '../api/idempotency';
import { DncStore } from '../dnc/store';
import type { Logger } from '../log';
import { connectMongo, type Mongo } from '../mongo/db';

/** What the API and the worker share: the record, the Temporal client, and the campaign service. */
export interface EngineContext {
  config: Config;
  log: Logger;
  mongo: Mongo;
  store: CampaignStore;
  dnc: DncStore;
  accounts: AccountStore;
  idempotency: IdempotencyStore;
  temporal: Client;
  temporalConnection: Connection;
  temporalAddress: string;
  service: CampaignService;
  close(): Promise<void>;
}

export interface ContextEndpoints {
  temporalAddress: string;
  mongoUri: string;
  /** A client made elsewhere (the time-skipping test environment's); the context does not close it. */
  temporal?: { client: Client; connection: Connection };
}

/**
 * How long a starting process waits for Temporal to accept its connection: a server just started,
 * or one busy on a loaded machine, may take longer than the SDK's default of 10 s to answer (a
 * bench's processes, started beside a suite of tests, once gave up at 10 s).
 */
const TEMPORAL_CONNECT_TIMEOUT_MS = 30_000;

export async function createContext(
  config: Config,
  log: Logger,
  endpoints: ContextEndpoints,
): Promise<EngineContext> {
  const mongo = await connectMongo(endpoints.mongoUri, config.MONGODB_DB, log);
  let ownConnection: Connection | undefined;
  if (!endpoints.temporal) {
    ownConnection = await Connection.connect({
      address: endpoints.temporalAddress,
      connectTimeout: TEMPORAL_CONNECT_TIMEOUT_MS,
    }).catch(async (err) => {
      await mongo.close();
      throw err;
    });
  }
  const temporalConnection = endpoints.temporal?.connection ?? ownConnection;
  if (!temporalConnection) throw new Error('no Temporal connection');
  const temporal =
    endpoints.temporal?.client ??
    new Client({ connection: temporalConnection, namespace: config.TEMPORAL_NAMESPACE });
  const store = new CampaignStore(mongo.db);
  const dnc = new DncStore(mongo.db);
  const accounts = new AccountStore(mongo.db);
  const idempotency = new IdempotencyStore(mongo.db);
  await Promise.all([
    store.ensureIndexes(mongo),
    store.backfillNames(),
    dnc.ensureIndexes(mongo),
    accounts.ensureIndexes(mongo),
    idempotency.ensureIndexes(),
  ]);
  const service = new CampaignService({
    store,
    dnc,
    temporal,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    defaultRegion: config.DEFAULT_PHONE_REGION as CountryCode,
    log: log.child({ component: 'service' }),
  });
  return {
    config,
    log,
    mongo,
    store,
    dnc,
    accounts,
    idempotency,
    temporal,
    temporalConnection,
    temporalAddress: endpoints.temporalAddress,
    service,
    async close() {
      await ownConnection?.close();
      await mongo.close();
    },
  };
}
