/** Seconds one call occupies a line when nothing has been measured yet (dialing, talk, wrap-up). */
export const ASSUMED_CALL_SECONDS = 120;

export interface EstimateInput {
  now: number;
  /** Contacts not yet final. */
  remaining: number;
  /** Contacts that became final since `runStartedAt`. */
  finishedThisRun: number;
  runStartedAt: number;
  maxConcurrentCalls: number;
  /** Latest scheduled time among the contacts (epoch ms): nothing ends before it. */
  latestScheduledAt?: number;
}

/**
 * When the campaign should be done: the measured finishing rate of this run carried forward,
 * or, before anything finished, the remaining contacts spread over the concurrent lines at an
 * assumed call length. Never earlier than the latest scheduled call.
 */
export function estimateCompletion(input: EstimateInput): number {
  const elapsedMs = input.now - input.runStartedAt;
  let etaMs: number;
  if (input.finishedThisRun > 0 && elapsedMs > 0) {
    etaMs = (input.remaining / input.finishedThisRun) * elapsedMs;
  } else {
    const rounds = Math.ceil(input.remaining / Math.max(1, input.maxConcurrentCalls));
    etaMs = rounds * ASSUMED_CALL_SECONDS * 1000;
  }
  return Math.max(input.now + Math.round(etaMs), input.latestScheduledAt ?? 0);
}
