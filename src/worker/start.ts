import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { dialerUrl, publicUrl } from '../config';
import { HttpVoiceAgentDialer } from '../dialers/http';
import type { Logger } from '../log';
import type { EngineContext } from '../runtime/context';
import { registerSearchAttributes } from '../temporal/register-search-attributes';
import { isContactTaskDurationWarning } from './sdk-log';
import { createWorkers, runWorkers } from './worker';

export interface RunningWorker {
  /** Settles if the workers stop on their own (a fatal error). */
  done: Promise<void>;
  close(): Promise<void>;
}

const sdkLevels: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};

let runtimeInstalled = false;

/** Routes the SDK's own log lines into our structured log, once per process. */
function installRuntimeLogger(log: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const sdkLog = log.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger(sdkLevels[log.level] ?? 'INFO', ({ level, message, meta }) => {
      // The SDK's INFO lines are worker life-cycle chatter: ours at debug.
      const warns = level === 'WARN' && !isContactTaskDurationWarning(message, meta);
      const method = warns ? 'warn' : level === 'ERROR' ? 'error' : level === 'TRACE' ? 'trace' : 'debug';
      sdkLog[method](meta ?? {}, message);
    }),
  });
}

/** Starts the workers of the engine against the context's Temporal server and MongoDB. */
export async function startWorker(ctx: EngineContext): Promise<RunningWorker> {
  const { config, log } = ctx;
  installRuntimeLogger(log);
  try {
    const added = await registerSearchAttributes(ctx.temporalConnection, config.TEMPORAL_NAMESPACE);
    if (added.length) log.info({ added }, 'registered search attributes');
  } catch (err) {
    // Temporal Cloud and locked-down clusters register them through their own tooling.
    log.warn(
      { err },
      'could not register search attributes; register CampaignId, ContactId, CallOutcome, ContactStatus, AccountId (Keyword) yourself',
    );
  }
  const connection = await NativeConnection.connect({ address: ctx.temporalAddress });
  const workers = await createWorkers({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    dialMaxCps: config.DIALER_MAX_CPS,
    ...(config.WORKFLOW_BUNDLE_PATH && { workflowBundle: { codePath: config.WORKFLOW_BUNDLE_PATH } }),
    deps: {
      store: ctx.store,
      accounts: ctx.accounts,
      dnc: ctx.dnc,
      dialer: new HttpVoiceAgentDialer({ baseUrl: dialerUrl(config), secret: config.WEBHOOK_SECRET }),
      client: ctx.temporal,
      log: log.child({ component: 'activities' }),
      settings: {
        callbackUrl: `${publicUrl(config)}/webhooks/calls`,
        outcomeTimeoutS: config.CALL_OUTCOME_TIMEOUT_S,
        historyLimit: config.CAMPAIGN_HISTORY_LIMIT,
        waitingDials: config.WAITING_DIALS_MAX,
      },
    },
  });
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const done = runWorkers(workers, stopped);
  return {
    done,
    async close() {
      stop();
      await done;
      await connection.close();
    },
  };
}
