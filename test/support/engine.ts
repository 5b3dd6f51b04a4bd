import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import express from 'express';
import { AccountStore } from '../../src/accounts/store';
import { createCarrierServer, type CarrierServer } from '../../src/carrier/server';
import { CampaignService } from '../../src/campaigns/service';
import { CampaignStore } from '../../src/campaigns/store';
import { HttpVoiceAgentDialer } from '../../src/dialers/http';
import { DncStore } from '../../src/dnc/store';
import { createLogger } from '../../src/log';
import { connectMongo, type Mongo } from '../../src/mongo/db';
import { registerSearchAttributes } from '../../src/temporal/register-search-attributes';
import { webhookRouter } from '../../src/api/webhooks';
import { createWorkers, runWorkers } from '../../src/worker/worker';

export const TEST_SECRET = 'test-webhook-secret-0123456789';

let runtimeInstalled = false;
/** The SDK logs every worker state change at INFO; tests only want warnings. */
function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

export interface EngineOptions {
  /** Run workflows on the time-skipping test server (hours pass in milliseconds). */
  timeSkipping?: boolean;
  simCallMs?: number;
  outcomeTimeoutS?: number;
  dialMaxCps?: number;
}

export interface Engine {
  service: CampaignService;
  store: CampaignStore;
  dnc: DncStore;
  accounts: AccountStore;
  client: Client;
  mongo: Mongo;
  carrier: CarrierServer;
  accountId: string;
  env?: TestWorkflowEnvironment;
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * The whole engine in this process against real servers: MongoDB (a database of its own),
 * Temporal (the shared dev server, or a time-skipping server of its own), the simulated carrier
 * and the webhook, with workers on a task queue of its own.
 */
export async function startEngine(options: EngineOptions = {}): Promise<Engine> {
  quietRuntime();
  const log = createLogger('warn', 'test');
  const dir = mkdtempSync(join(tmpdir(), 'engine-'));
  const mongo = await connectMongo(requireEnv('MONGODB_URI'), `test_${randomUUID().slice(0, 8)}`);
  const store = new CampaignStore(mongo.db);
  const dnc = new DncStore(mongo.db);
  const accounts = new AccountStore(mongo.db);

  let env: TestWorkflowEnvironment | undefined;
  let client: Client;
  let nativeConnection: NativeConnection;
  let clientConnection: Connection | undefined;
  if (options.timeSkipping) {
    const path = process.env.TEMPORAL_TEST_SERVER_PATH;
    env = await TestWorkflowEnvironment.createTimeSkipping(
      path ? { server: { executable: { type: 'existing-path', path } } } : {},
    );
    await registerSearchAttributes(env.connection, 'default');
    client = env.client;
    nativeConnection = env.nativeConnection;
  } else {
    const address = requireEnv('TEMPORAL_ADDRESS');
    clientConnection = await Connection.connect({ address });
    client = new Client({ connection: clientConnection });
    nativeConnection = await NativeConnection.connect({ address });
  }

  const carrier = await createCarrierServer({
    port: 0,
    ledgerPath: join(dir, 'ledger.jsonl'),
    simCallMs: options.simCallMs ?? 0,
    secret: TEST_SECRET,
  });
  const app = express();
  app.use(webhookRouter({ secret: TEST_SECRET, store, temporal: client, log }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const taskQueue = `test-${randomUUID()}`;
  const workers = await createWorkers({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    dialMaxCps: options.dialMaxCps ?? 0,
    workflowBundle: { codePath: requireEnv('WORKFLOW_BUNDLE_PATH') },
    deps: {
      store,
      dnc,
      dialer: new HttpVoiceAgentDialer({ baseUrl: carrier.url, secret: TEST_SECRET }),
      client,
      log,
      settings: { callbackUrl: `${apiUrl}/webhooks/calls`, outcomeTimeoutS: options.outcomeTimeoutS ?? 600 },
    },
  });
  let stopWorkers!: () => void;
  const workersDone = runWorkers(workers, new Promise<void>((resolve) => (stopWorkers = resolve)));

  const service = new CampaignService({ store, dnc, temporal: client, taskQueue, defaultRegion: 'US', log });
  const account = await accounts.upsertAccount({ name: 'test account' });

  return {
    service,
    store,
    dnc,
    accounts,
    client,
    mongo,
    carrier,
    accountId: account._id,
    env,
    taskQueue,
    async stop() {
      stopWorkers();
      await workersDone;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await carrier.close();
      await env?.teardown();
      await clientConnection?.close();
      if (!env) await nativeConnection.close();
      await mongo.db.dropDatabase();
      await mongo.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run tests through Jest's global setup (npm test)`);
  return value;
}
