import { callToken } from './call-token';
import { callAcceptedSchema, isRetryableStatus, protocolHeaders } from './protocol';
import { signPayload } from './signature';
import { DialerError, type Dialer, type PlaceCallRequest, type PlaceCallResult } from './types';

export interface HttpVoiceAgentDialerOptions {
  /** Provider base URL; calls are posted to `<baseUrl>/calls`. */
  baseUrl: string;
  /** Shared WEBHOOK_SECRET the request is signed with. */
  secret: string;
  timeoutMs?: number;
  name?: string;
}

export const DEFAULT_DIAL_TIMEOUT_MS = 10_000;

/** Enough of an error body to say what the provider objected to, without logging a page of HTML. */
const ERROR_BODY_CHARS = 500;

/** Posts signed call requests to a voice-agent provider speaking our call-provider protocol. */
export class HttpVoiceAgentDialer implements Dialer {
  readonly name: string;
  private readonly callsUrl: string;
  private readonly secret: string;
  private readonly timeoutMs: number;

  constructor(options: HttpVoiceAgentDialerOptions) {
    this.name = options.name ?? 'http-voice-agent';
    this.callsUrl = `${options.baseUrl.replace(/\/+$/, '')}/calls`;
    this.secret = options.secret;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS;
  }

  async placeCall(req: PlaceCallRequest): Promise<PlaceCallResult> {
    const token = callToken(this.secret, req.idempotencyKey, req.metadata);
    const body = JSON.stringify({ ...req, metadata: { ...req.metadata, token } });
    let res: Response;
    try {
      res = await fetch(this.callsUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [protocolHeaders.idempotencyKey]: req.idempotencyKey,
          ...signPayload(this.secret, body, Date.now()),
        },
        body,
        // A redirect would turn the POST into a GET; better to report the misconfigured URL.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      // Whether or not the provider got the request, resending it under the same key is safe.
      const timedOut = errorField(err, 'name') === 'TimeoutError';
      const reason = timedOut ? `timed out after ${this.timeoutMs} ms` : `failed: ${errorMessage(err)}`;
      throw new DialerError(`${this.name}: call request ${reason}`, { retryable: true, cause: err });
    }

    if (res.status === 200 || res.status === 201) return this.accepted(res);

    const detail = await res.text().then(
      (text) => text.slice(0, ERROR_BODY_CHARS),
      () => '',
    );
    throw new DialerError(`${this.name}: provider answered ${res.status}${detail ? `: ${detail}` : ''}`, {
      retryable: isRetryableStatus(res.status),
      status: res.status,
    });
  }

  private async accepted(res: Response): Promise<PlaceCallResult> {
    let parsed: ReturnType<typeof callAcceptedSchema.safeParse>;
    try {
      parsed = callAcceptedSchema.safeParse(await res.json());
    } catch (err) {
      throw new DialerError(`${this.name}: unreadable ${res.status} answer: ${errorMessage(err)}`, {
        retryable: true,
        status: res.status,
        cause: err,
      });
    }
    if (!parsed.success) {
      // The call may well be placed; asking again under the same key returns it without a second call.
      throw new DialerError(`${this.name}: malformed ${res.status} answer: ${parsed.error.message}`, {
        retryable: true,
        status: res.status,
        cause: parsed.error,
      });
    }
    return { callId: parsed.data.callId, duplicate: parsed.data.duplicate === true };
  }
}

/** Read by field, not instanceof: fetch's errors may come from another realm (a Jest sandbox, say). */
function errorField(err: unknown, field: 'name' | 'message' | 'cause'): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[field] : undefined;
}

function errorMessage(err: unknown): string {
  const message = errorField(err, 'message');
  if (typeof message !== 'string') return String(err);
  // undici reports "fetch failed" and puts the real reason (ECONNREFUSED...) in the cause.
  const cause = errorField(errorField(err, 'cause'), 'message');
  return typeof cause === 'string' ? `${message} (${cause})` : message;
}
