import type { CallRequest } from './protocol';

/** One dial: everything the provider needs to place the call and report back on it. */
export type PlaceCallRequest = CallRequest;

export interface PlaceCallResult {
  callId: string;
  /** The provider had seen this idempotency key already and placed no second call. */
  duplicate: boolean;
}

export interface PlaceCallOptions {
  /** The callee's calling window closes then (epoch ms): no request may go out at or after it. */
  notAfter?: number;
}

/** Places outbound calls. Implementations must place at most one call per idempotency key. */
export interface Dialer {
  readonly name: string;
  placeCall(req: PlaceCallRequest, options?: PlaceCallOptions): Promise<PlaceCallResult>;
}

/** Whether the calling window of a dial has closed: the call must wait for the next one. */
export function windowClosed(notAfter: number | undefined, now = Date.now()): boolean {
  return notAfter !== undefined && now >= notAfter;
}

/** The calling window closed while the dial waited to go out; nothing was sent. */
export class WindowClosedError extends Error {
  constructor(notAfter: number) {
    super(`the calling window closed at ${new Date(notAfter).toISOString()} before the call could go out`);
    this.name = 'WindowClosedError';
  }
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
