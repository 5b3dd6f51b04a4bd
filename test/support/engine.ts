import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  type LogLevel,
  type LogMetadata,
} from '@temporalio/worker';
import { createApp } from '../../src/api/app';
import { createCarrierServer, type CarrierServer } from '../../src/carrier/server';
import { loadConfig } from '../../src/config';
import { HttpVoiceAgentDialer } from '../../src/dialers/http';
import type { Dialer } from '../../src/dialers/types';
import { createLogger } from '../../src/log';
import { createContext, type EngineContext } from '../../src/runtime/context';
import { registerSearchAttributes } from '../../src/temporal/register-search-attributes';
import { isContactTaskDurationWarning } from '../../src/worker/sdk-log';
import { createWorkers, runWorkers } from '../../src/worker/worker';

export const TEST_SECRET = 'test-webhook-secret-0123456789';

/** The SDK's warnings and errors, but for those the engine makes by design. */
class QuietLogger extends DefaultLogger {
  override log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (!isContactTaskDurationWarning(message, meta)) super.log(level, message, meta);
  }
}

let runtimeInstalled = false;
/** The SDK logs every worker state change at INFO; tests only want warnings. */
function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new QuietLogger('WARN') });
}

export interface EngineOptions {
  /** Run workflows on the time-skipping test server (hours pass in milliseconds). */
  timeSkipping?: boolean;
  simCallMs?: number;
  outcomeTimeoutS?: number;
  dialMaxCps?: number;
  /** Extra environment for the config module (e.g. BODY_LIMIT). */
  env?: Record<string, string>;
  /** Run workers in this process (default); false leaves that to worker processes the test starts. */
  inProcessWorkers?: boolean;
  /** Wraps the in-process workers' dialer (the simulated carrier's): to fail or observe dials. */
  wrapDialer?: (dialer: Dialer) => Dialer;
}

export interface Engine extends Pick<EngineContext, 'service' | 'store' | 'dnc' | 'accounts' | 'mongo'> {
  ctx: EngineContext;
  client: EngineContext['temporal'];
  carrier: CarrierServer;
  /** The HTTP API, every dialect mounted. */
  apiUrl: string;
  accountId: string;
  apiKey: string;
  /** The environment a worker process of this engine needs (`npm run worker`). */
  workerEnv: NodeJS.ProcessEnv;
  env?: TestWorkflowEnvironment;
  taskQueue: string;
  /** Creates another account with a key of its own. */
  newAccount(name?: string): Promise<{ accountId: string; apiKey: string }>;
  stop(): Promise<void>;
}

/**
 * The whole engine in this process against real servers: MongoDB (a database of its own),
 * Temporal (the shared dev server, or a time-skipping server of its own), the simulated carrier
 * and the full HTTP API, with workers on a task queue of their own.
 */
export async function startEngine(options: EngineOptions = {}): Promise<Engine> {
  quietRuntime();
  const dir = mkdtempSync(join(tmpdir(), 'engine-'));
  const taskQueue = `test-${randomUUID()}`;
  const config = loadConfig({
    ...process.env,
    MONGODB_DB: `test_${randomUUID().slice(0, 8)}`,
    TEMPORAL_TASK_QUEUE: taskQueue,
    WEBHOOK_SECRET: TEST_SECRET,
    LOG_LEVEL: 'warn',
    CALL_OUTCOME_TIMEOUT_S: String(options.outcomeTimeoutS ?? 600),
    DIALER_MAX_CPS: String(options.dialMaxCps ?? 0),
    ...options.env,
  });
  const log = createLogger('warn', 'test');

  let env: TestWorkflowEnvironment | undefined;
  let nativeConnection: NativeConnection;
  if (options.timeSkipping) {
    const path = process.env.TEMPORAL_TEST_SERVER_PATH;
    env = await TestWorkflowEnvironment.createTimeSkipping(
      path ? { server: { executable: { type: 'existing-path', path } } } : {},
    );
    await registerSearchAttributes(env.connection, 'default');
    nativeConnection = env.nativeConnection;
  } else {
    nativeConnection = await NativeConnection.connect({ address: requireEnv('TEMPORAL_ADDRESS') });
  }
  const ctx = await createContext(config, log, {
    temporalAddress: process.env.TEMPORAL_ADDRESS ?? 'time-skipping',
    mongoUri: requireEnv('MONGODB_URI'),
    ...(env && { temporal: { client: env.client, connection: env.connection } }),
  });

  const carrier = await createCarrierServer({
    port: 0,
    ledgerPath: join(dir, 'ledger.jsonl'),
    simCallMs: options.simCallMs ?? 0,
    secret: TEST_SECRET,
  });
  const server: Server = createApp(ctx).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const workers =
    options.inProcessWorkers === false
      ? []
      : await createWorkers({
          connection: nativeConnection,
          namespace: 'default',
          taskQueue,
          dialMaxCps: config.DIALER_MAX_CPS,
          workflowBundle: { codePath: requireEnv('WORKFLOW_BUNDLE_PATH') },
          deps: {
            store: ctx.store,
            accounts: ctx.accounts,
            dnc: ctx.dnc,
            dialer: (options.wrapDialer ?? ((dialer: Dialer) => dialer))(
              new HttpVoiceAgentDialer({ baseUrl: carrier.url, secret: TEST_SECRET }),
            ),
            client: ctx.temporal,
            log,
            settings: {
              callbackUrl: `${apiUrl}/webhooks/calls`,
              outcomeTimeoutS: config.CALL_OUTCOME_TIMEOUT_S,
              historyLimit: config.CAMPAIGN_HISTORY_LIMIT,
              waitingDials: config.WAITING_DIALS_MAX,
            },
          },
        });
  let stopWorkers!: () => void;
  const workersDone = runWorkers(workers, new Promise<void>((resolve) => (stopWorkers = resolve)));
  const workerEnv: NodeJS.ProcessEnv = {
    ...process.env,
    MONGODB_DB: config.MONGODB_DB,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DIALER_URL: carrier.url,
    PUBLIC_URL: apiUrl,
    WEBHOOK_SECRET: TEST_SECRET,
    CALL_OUTCOME_TIMEOUT_S: String(config.CALL_OUTCOME_TIMEOUT_S),
    DIALER_MAX_CPS: String(config.DIALER_MAX_CPS),
    LOG_LEVEL: 'warn',
  };

  const newAccount = async (name = 'test account') => {
    const account = await ctx.accounts.upsertAccount({ name });
    const apiKey = await ctx.accounts.addApiKey(account._id);
    return { accountId: account._id, apiKey };
  };
  const { accountId, apiKey } = await newAccount();

  return {
    ctx,
    service: ctx.service,
    store: ctx.store,
    dnc: ctx.dnc,
    accounts: ctx.accounts,
    mongo: ctx.mongo,
    client: ctx.temporal,
    carrier,
    apiUrl,
    accountId,
    apiKey,
    workerEnv,
    env,
    taskQueue,
    newAccount,
    async stop() {
      stopWorkers();
      await workersDone;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await carrier.close();
      await env?.teardown();
      if (!env) await nativeConnection.close();
      await ctx.mongo.db.dropDatabase();
      await ctx.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run tests through Jest's global setup (npm test)`);
  return value;
}
