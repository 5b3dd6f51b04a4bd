import { join, resolve } from 'node:path';
import { createCarrierServer } from '../carrier/server';
import { loadConfig } from '../config';
import { startApi } from '../api/app';
import { createLogger } from '../log';
import { createContext } from '../runtime/context';
import { onShutdown } from '../runtime/shutdown';
import { startWorker } from '../worker/start';
import { ensureDevAccount } from './account';
import { startLocalInfra } from './infra';

/**
 * `npm run dev`: the whole engine in one process tree with embedded defaults: a local Temporal
 * server and MongoDB-wire server (found or installed), the worker, the API and the simulated carrier.
 */
async function run(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, 'dev');
  const dataDir = resolve(config.DATA_DIR);
  const infra = await startLocalInfra({
    dataDir,
    cacheDir: resolve(config.CACHE_DIR),
    namespace: config.TEMPORAL_NAMESPACE,
    log: (line) => console.log(`[infra] ${line}`),
    temporalPort: config.TEMPORAL_PORT,
    uiPort: config.TEMPORAL_UI_PORT,
    mongoPort: config.MONGODB_PORT,
  });
  const stops: (() => Promise<void>)[] = [() => infra.stop()];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => log.error({ err }, 'stop failed'));
  };
  try {
    const ctx = await createContext(config, log, {
      temporalAddress: infra.temporal.address,
      mongoUri: infra.mongo.uri,
    });
    stops.push(() => ctx.close());
    const creds = await ensureDevAccount(ctx.accounts, config, join(dataDir, 'dev-credentials.json'));
    const carrier = await createCarrierServer({
      host: '127.0.0.1',
      port: config.CARRIER_PORT,
      ledgerPath: config.CARRIER_LEDGER ?? join(dataDir, 'carrier', 'ledger.jsonl'),
      simCallMs: config.SIM_CALL_MS,
      secret: config.WEBHOOK_SECRET,
      log: log.child({ component: 'carrier' }),
    });
    stops.push(() => carrier.close());
    const worker = await startWorker(ctx);
    stops.push(() => worker.close());
    const api = await startApi(ctx);
    stops.push(() => api.close());

    console.log(
      [
        '',
        'Campaign engine is running.',
        `  API              ${api.url}   (try: curl -H "x-api-key: ${creds.apiKey}" ${api.url}/healthz)`,
        `  Temporal Web UI  ${infra.temporal.uiUrl ?? '(external server: see its own UI)'}`,
        `  Temporal         ${infra.temporal.address}`,
        `  MongoDB          ${infra.mongo.uri}`,
        `  Carrier (sim)    ${carrier.url}   (ledger: ${carrier.url}/ledger/stats)`,
        '',
        `  DEV_API_KEY      ${creds.apiKey}`,
        `  DEV_ACCOUNT_ID   ${creds.accountId}`,
        `  DEV_APP_ID       ${creds.appId}`,
        `  DEV_JWT_SECRET   ${creds.jwtSecret}`,
        '',
        'Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
    await Promise.race([onShutdown(log), worker.done]);
  } finally {
    await stopAll();
  }
}

run().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
