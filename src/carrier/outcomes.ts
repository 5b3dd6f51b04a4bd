import { z } from 'zod';
import { providerOutcomeSchema, type ProviderOutcome } from '../dialers/protocol';

/**
 * What the simulated carrier does with a call: decided by the number alone (so a test or a demo
 * picks an outcome by picking a number), unless the request's `context.simulate` says otherwise.
 */
export interface SimulatedOutcome {
  outcome: ProviderOutcome;
  optOut: boolean;
}

/** By the last digit of the number; 6 is a contact who picks up on the third try. */
export function outcomeFor(to: string, attempt: number): SimulatedOutcome {
  const last = to.charCodeAt(to.length - 1) - 48;
  switch (last) {
    case 0:
      return { outcome: 'answered', optOut: to.endsWith('00') };
    case 1:
    case 2:
    case 3:
      return { outcome: 'answered', optOut: false };
    case 4:
      return { outcome: 'no_answer', optOut: false };
    case 5:
      return { outcome: 'busy', optOut: false };
    case 6:
      return { outcome: attempt >= 3 ? 'answered' : 'no_answer', optOut: false };
    case 7:
      return { outcome: 'failed', optOut: false };
    case 8:
      return { outcome: 'voicemail', optOut: false };
    default:
      return { outcome: 'invalid_number', optOut: false };
  }
}

export const simulateSchema = z.object({
  outcome: providerOutcomeSchema.optional(),
  optOut: z.boolean().optional(),
  /** The call happens but no callback is ever sent: exercises the engine's outcome timeout. */
  noCallback: z.boolean().optional(),
  delayMs: z.number().int().min(0).max(3_600_000).optional(),
});
export type SimulateOverride = z.infer<typeof simulateSchema>;

export interface CallPlan extends SimulatedOutcome {
  durationS: number;
  /** Milliseconds from the request to the call's end (and its `completed` callback). */
  delayMs: number;
  sendCallbacks: boolean;
}

/**
 * The plan for one call. `simulate` is the request's `context.simulate` as already validated
 * with simulateSchema (undefined when absent).
 */
export function planCall(
  to: string,
  attempt: number,
  idempotencyKey: string,
  simulate: SimulateOverride | undefined,
  defaultDelayMs: number,
): CallPlan {
  const byNumber = outcomeFor(to, attempt);
  const outcome = simulate?.outcome ?? byNumber.outcome;
  const optOut = simulate?.optOut ?? (byNumber.optOut && outcome === 'answered');
  return {
    outcome,
    optOut,
    durationS: durationFor(idempotencyKey, outcome),
    delayMs: simulate?.delayMs ?? defaultDelayMs,
    sendCallbacks: simulate?.noCallback !== true,
  };
}

/** Talk time of an answered call, 30 to 300 s, stable per idempotency key so reruns compare equal. */
export function durationFor(idempotencyKey: string, outcome: ProviderOutcome): number {
  if (outcome !== 'answered') return 0;
  return 30 + (fnv1a(idempotencyKey) % 271);
}

/** 32-bit FNV-1a: a cheap, well-spread hash that needs no Node built-ins. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
