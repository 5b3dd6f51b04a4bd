import { loadConfig, requireSettings } from '../config';
import { createLogger } from '../log';
import { createContext } from '../runtime/context';
import { onShutdown } from '../runtime/shutdown';
import { startApi } from './app';

/** `npm run api`: the HTTP API alone, against TEMPORAL_ADDRESS and MONGODB_URI. */
async function run(): Promise<void> {
  const config = requireSettings(loadConfig(), ['TEMPORAL_ADDRESS', 'MONGODB_URI']);
  const log = createLogger(config.LOG_LEVEL, 'api');
  const ctx = await createContext(config, log, {
    temporalAddress: config.TEMPORAL_ADDRESS,
    mongoUri: config.MONGODB_URI,
  });
  const api = await startApi(ctx);
  log.info({ url: api.url }, 'api listening');
  await onShutdown(log);
  await api.close();
  await ctx.close();
}

run().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
