import { Agent as HttpAgent, request as httpRequest, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Logger } from '../log';
import { isRetryableStatus, type CallbackEvent } from '../dialers/protocol';
import { signPayload } from '../dialers/signature';
import type { CancellableTimers } from './timers';

/** How hard the carrier tries to deliver one callback, like a real provider would. */
export interface CallbackRetryPolicy {
  /** Tries in all, the first one included. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** How long one try waits for the receiver's answer. */
  timeoutMs: number;
}

export const defaultCallbackRetry: CallbackRetryPolicy = {
  attempts: 8,
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  timeoutMs: 10_000,
};

export type DeliveryResult = { delivered: true } | { delivered: false; reason: string } | 'aborted';

/**
 * Keep-alive sockets, capped per receiver: a restarted carrier resuming thousands of calls queues
 * its callbacks here instead of opening thousands of sockets at once.
 */
const agentOptions = { keepAlive: true, maxSockets: 256 };

/** Posts signed call-status callbacks, retrying with exponential backoff. */
export class CallbackSender {
  private readonly httpAgent = new HttpAgent(agentOptions);
  private readonly httpsAgent = new HttpsAgent(agentOptions);
  private readonly inFlight = new Set<ClientRequest>();

  constructor(
    private readonly secret: string,
    private readonly timers: CancellableTimers,
    private readonly retry: CallbackRetryPolicy = defaultCallbackRetry,
    private readonly log?: Logger,
  ) {}

  /** 'aborted' once the timers are closed: nothing is known, the next start sends it again. */
  async deliver(callbackUrl: string, event: CallbackEvent): Promise<DeliveryResult> {
    const target = new URL(callbackUrl);
    const body = JSON.stringify(event);
    let delayMs = this.retry.initialDelayMs;
    for (let attempt = 1; ; attempt++) {
      if (this.timers.closed) return 'aborted';
      let reason: string;
      try {
        const status = await this.post(target, body);
        if (status >= 200 && status < 300) return { delivered: true };
        reason = `receiver answered ${status}`;
        if (!isRetryableStatus(status)) return { delivered: false, reason };
      } catch (err) {
        if (this.timers.closed) return 'aborted';
        reason = err instanceof Error ? err.message : String(err);
      }
      if (attempt >= this.retry.attempts) {
        return { delivered: false, reason: `${reason}; gave up after ${attempt} tries` };
      }
      this.log?.debug({ callId: event.callId, event: event.event, attempt, reason }, 'callback retry');
      if (!(await this.timers.sleep(delayMs))) return 'aborted';
      delayMs = Math.min(delayMs * 2, this.retry.maxDelayMs);
    }
  }

  /** Resolves with the status once the whole answer is read, so the socket can be reused. */
  private post(target: URL, body: string): Promise<number> {
    const secure = target.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const req = (secure ? httpsRequest : httpRequest)(
        {
          hostname: target.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: target.port,
          path: `${target.pathname}${target.search}`,
          method: 'POST',
          agent: secure ? this.httpsAgent : this.httpAgent,
          timeout: this.retry.timeoutMs,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...signPayload(this.secret, body, Date.now()),
          },
        },
        (res) => {
          res.once('end', () => resolve(res.statusCode ?? 0));
          res.once('error', reject);
          res.resume();
        },
      );
      this.inFlight.add(req);
      req.once('close', () => this.inFlight.delete(req));
      req.once('timeout', () => req.destroy(new Error(`no answer within ${this.retry.timeoutMs} ms`)));
      req.once('error', reject);
      req.end(body);
    });
  }

  close(): void {
    for (const req of this.inFlight) req.destroy();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
