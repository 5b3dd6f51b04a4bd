import { loadConfig, requireSettings } from '../config';
import { createLogger } from '../log';
import { createContext } from '../runtime/context';
import { onShutdown } from '../runtime/shutdown';
import { startWorker } from './start';

/** `npm run worker`: runs campaign and contact workflows and their activities. */
async function run(): Promise<void> {
  const config = requireSettings(loadConfig(), ['TEMPORAL_ADDRESS', 'MONGODB_URI']);
  const log = createLogger(config.LOG_LEVEL, 'worker');
  const ctx = await createContext(config, log, {
    temporalAddress: config.TEMPORAL_ADDRESS,
    mongoUri: config.MONGODB_URI,
  });
  const worker = await startWorker(ctx);
  log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
  await Promise.race([onShutdown(log), worker.done]);
  await worker.close();
  await ctx.close();
}

run().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
