import type { CallOutcome, FinalContactStatus } from './status';

/** Which outcomes may ever be retried: an answered call or a number that does not exist never is. */
export const retryableOutcomes = ['no_answer', 'busy', 'failed', 'voicemail'] as const;
export type RetryableOutcome = (typeof retryableOutcomes)[number];

export interface RedialConfig {
  enabled: boolean;
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** Seconds to wait before each redial; the last one repeats. */
  retryIntervals: number[];
  retryOn: RetryableOutcome[];
}

export const MAX_ATTEMPTS_LIMIT = 10;
export const DEFAULT_RETRY_INTERVAL_S = 3600;
export const defaultRetryOn: RetryableOutcome[] = ['no_answer', 'busy', 'failed'];

export const defaultRedialConfig: RedialConfig = {
  enabled: false,
  maxAttempts: 1,
  retryIntervals: [DEFAULT_RETRY_INTERVAL_S],
  retryOn: defaultRetryOn,
};

export type AttemptDecision =
  | { final: true; status: Extract<FinalContactStatus, 'completed' | 'failed'> }
  | { final: false; retryAfterS: number };

/** Attempts a contact may have under this config. */
export function attemptBudget(config: RedialConfig): number {
  return config.enabled ? config.maxAttempts : 1;
}

/** Seconds to wait after attempt `attemptsMade` (1-based) before the next one. */
export function retryInterval(config: RedialConfig, attemptsMade: number): number {
  const intervals = config.retryIntervals.length > 0 ? config.retryIntervals : [DEFAULT_RETRY_INTERVAL_S];
  return intervals[Math.min(attemptsMade - 1, intervals.length - 1)] ?? DEFAULT_RETRY_INTERVAL_S;
}

/**
 * What happens after an attempt ends with `outcome`, `attemptsMade` attempts having been made
 * (this one included) out of `budget`.
 */
export function decideAfterAttempt(
  config: RedialConfig,
  outcome: CallOutcome,
  attemptsMade: number,
  budget = attemptBudget(config),
): AttemptDecision {
  if (outcome === 'answered') return { final: true, status: 'completed' };
  const retryable = config.enabled && (config.retryOn as string[]).includes(outcome);
  if (!retryable || attemptsMade >= budget) return { final: true, status: 'failed' };
  return { final: false, retryAfterS: retryInterval(config, attemptsMade) };
}
