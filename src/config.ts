import { z } from 'zod';
import { HISTORY_EVENTS_LIMIT } from './domain/history';

/**
 * Every setting the engine reads, from environment variables, in one place.
 * A bad value stops start-up with a message naming the variable and what is wrong.
 */
const port = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

const positiveInt = z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive();
const nonNegativeInt = z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0);
const optionalString = z.string().trim().min(1).optional();

export const configSchema = z.object({
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),

  /** HTTP API. */
  PORT: port.default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** Largest request body accepted; larger ones get 413 PAYLOAD_TOO_LARGE. */
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 512kb or 2mb')
    .default('2mb'),
  /** Region assumed for phone numbers written without a country code (ISO 3166 alpha-2). */
  DEFAULT_PHONE_REGION: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter ISO country code such as US or IN')
    .default('US'),
  /** Base URL at which call providers reach our webhooks. */
  PUBLIC_URL: z.url('must be a URL such as http://127.0.0.1:3000').optional(),

  /** Temporal. Entry points for production require TEMPORAL_ADDRESS; `npm run dev` starts a server when unset. */
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('campaigns'),
  TEMPORAL_CLI_PATH: optionalString,
  /**
   * A workflow bundle built ahead (bundleWorkflowCode with `workflowBundling` of src/worker/worker.ts);
   * workers otherwise bundle the sources at start.
   */
  WORKFLOW_BUNDLE_PATH: optionalString,
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),

  /** MongoDB. Entry points for production require MONGODB_URI; `npm run dev` starts a server when unset. */
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  MONGODB_DB: z.string().min(1).default('campaign_engine'),
  MONGODB_PORT: port.default(27017),

  /** Local folders for `npm run dev` and the test suite. */
  DATA_DIR: z.string().min(1).default('.data'),
  CACHE_DIR: z.string().min(1).default('.cache'),

  /** The dev account `npm run dev` registers; generated when unset. */
  DEV_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  DEV_ACCOUNT_ID: optionalString,
  DEV_APP_ID: optionalString,
  DEV_JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),

  /** Voice-agent provider the dialer posts call requests to (the simulated carrier by default). */
  DIALER_URL: z.url('must be a URL').optional(),
  /** Shared secret for signing call requests and verifying call-status callbacks (HMAC-SHA256). */
  WEBHOOK_SECRET: z
    .string()
    .min(16, 'must be at least 16 characters')
    .default('dev-webhook-secret-change-me'),
  /** Seconds a contact workflow waits for a call outcome before recording `failed` (reason `timeout`). */
  CALL_OUTCOME_TIMEOUT_S: positiveInt.default(600),
  /** Calls per second the dialer may start, across all workers (0 = no cap). */
  DIALER_MAX_CPS: nonNegativeInt.default(0),
  /**
   * Dials a worker lets wait at once for their scheduled time (a contact started just before it);
   * each holds a local-activity slot and its workflow task. Past it, or at 0, such a contact
   * sleeps on a server timer instead, which costs the server a timer and a workflow task more.
   */
  WAITING_DIALS_MAX: nonNegativeInt.max(2000, 'must be at most 2000').default(200),
  /** History events a campaign workflow run reaches before it continues as new. */
  CAMPAIGN_HISTORY_LIMIT: positiveInt
    .min(100, 'must be between 100 and 40000')
    .max(40_000, 'must be between 100 and 40000')
    .default(HISTORY_EVENTS_LIMIT),

  /** Simulated carrier. */
  CARRIER_PORT: port.default(4010),
  SIM_CALL_MS: nonNegativeInt.default(200),
  CARRIER_LEDGER: optionalString,
});

export type Config = z.infer<typeof configSchema>;
export type ConfigKey = keyof Config;
export const configKeys = Object.keys(configSchema.shape) as ConfigKey[];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of configKeys) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0]);
        return `${key}=${JSON.stringify(env[key])}: ${issue.message}`;
      }),
    );
  }
  return parsed.data;
}

/** The settings production entry points cannot run without. */
export function requireSettings<K extends ConfigKey>(
  config: Config,
  keys: K[],
): Config & { [P in K]-?: NonNullable<Config[P]> } {
  const missing = keys.filter((key) => config[key] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(missing.map((key) => `${key} is not set: it is required here`));
  }
  return config as Config & { [P in K]-?: NonNullable<Config[P]> };
}

export function publicUrl(config: Config): string {
  return config.PUBLIC_URL ?? `http://127.0.0.1:${config.PORT}`;
}

export function dialerUrl(config: Config): string {
  return config.DIALER_URL ?? `http://127.0.0.1:${config.CARRIER_PORT}`;
}
