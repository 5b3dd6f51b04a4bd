import type { CallRequest } from './protocol';

/** One dial: everything the provider needs to place the call and report back on it. */
export type PlaceCallRequest = CallRequest;

export interface PlaceCallResult {
  callId: string;
  /** The provider had seen this idempotency key already and placed no second call. */
  duplicate: boolean;
}

/** Places outbound calls. Implementations must place at most one call per idempotency key. */
export interface Dialer {
  readonly name: string;
  placeCall(req: PlaceCallRequest): Promise<PlaceCallResult>;
}

/**
 * A dial that did not go through. `retryable` tells the caller whether sending the same request
 * again (same idempotency key) may succeed; a non-retryable error needs a different request.
 */
export class DialerError extends Error {
  readonly retryable: boolean;
  readonly status?: number;

  constructor(message: string, options: { retryable: boolean; status?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'DialerError';
    this.retryable = options.retryable;
    this.status = options.status;
  }
}
