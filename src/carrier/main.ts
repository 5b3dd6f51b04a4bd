import { join } from 'node:path';
import { loadConfig } from '../config';
import { createLogger } from '../log';
import { createCarrierServer } from './server';

/** `npm run carrier`: the simulated voice-agent provider as a process of its own. */
async function run(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, 'carrier');
  const ledgerPath = config.CARRIER_LEDGER ?? join(config.DATA_DIR, 'carrier', 'ledger.jsonl');
  const carrier = await createCarrierServer({
    host: config.HOST,
    port: config.CARRIER_PORT,
    ledgerPath,
    simCallMs: config.SIM_CALL_MS,
    secret: config.WEBHOOK_SECRET,
    log,
  });
  log.info(
    { url: carrier.url, ledgerPath, simCallMs: config.SIM_CALL_MS },
    `carrier listening at ${carrier.url}`,
  );

  const stop = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'carrier stopping');
    carrier.close().then(
      () => log.info('carrier stopped'),
      (err: unknown) => {
        log.error({ err }, 'carrier did not stop cleanly');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
