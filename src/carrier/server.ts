import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import type { Logger } from '../log';
import { callRequestSchema, protocolHeaders, type CallbackEventName } from '../dialers/protocol';
import { verifySignature } from '../dialers/signature';
import { CallbackSender, defaultCallbackRetry, type CallbackRetryPolicy } from './callbacks';
import { CallLedger, type CallRecord } from './ledger';
import { planCall, simulateSchema, type SimulateOverride } from './outcomes';
import { CancellableTimers } from './timers';

export interface CarrierServerOptions {
  /** Interface to listen on; 127.0.0.1 unless told otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  ledgerPath: string;
  /** How long a simulated call lasts when the request does not say (context.simulate.delayMs). */
  simCallMs: number;
  secret: string;
  log?: Logger;
  callbackRetry?: Partial<CallbackRetryPolicy>;
}

export interface CarrierServer {
  readonly url: string;
  readonly port: number;
  readonly ledger: CallLedger;
  /** Stops timers, callbacks and the server; unsent callbacks resume on the next start. */
  close(): Promise<void>;
}

/** Call requests are a few hundred bytes; anything near this is not one. */
const MAX_BODY_BYTES = 256 * 1024;

interface Issue {
  path: string;
  message: string;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: Issue[],
  ) {
    super(message);
  }
}

/** A simulated voice-agent provider speaking our call-provider protocol, on node:http. */
export async function createCarrierServer(options: CarrierServerOptions): Promise<CarrierServer> {
  const ledger = CallLedger.open(options.ledgerPath);
  const carrier = new Carrier(ledger, options);
  try {
    return await carrier.listen(options.host ?? '127.0.0.1', options.port);
  } catch (err) {
    await carrier.close();
    throw err;
  }
}

class Carrier {
  private readonly timers = new CancellableTimers();
  private readonly sender: CallbackSender;
  private readonly server = createServer((req, res) => this.route(req, res));
  private closing: Promise<void> | undefined;

  constructor(
    private readonly ledger: CallLedger,
    private readonly options: CarrierServerOptions,
  ) {
    const retry = { ...defaultCallbackRetry, ...options.callbackRetry };
    this.sender = new CallbackSender(options.secret, this.timers, retry, options.log);
  }

  async listen(host: string, port: number): Promise<CarrierServer> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const bound = (this.server.address() as AddressInfo).port;
    const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const url = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${bound}`;
    const resumed = this.ledger.unfinished();
    if (resumed.length > 0) this.options.log?.info({ calls: resumed.length }, 'resuming unfinished calls');
    for (const call of resumed) this.runInBackground(call, true);
    return { url, port: bound, ledger: this.ledger, close: () => this.close() };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.timers.close();
      this.sender.close();
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
      this.ledger.close();
    })();
    return this.closing;
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (req.method === 'POST' && path === '/calls') {
      this.placeCall(req, res).catch((err: unknown) => this.fail(res, err));
    } else if (req.method === 'GET' && path === '/healthz') {
      send(res, 200, { ok: true });
    } else if (req.method === 'GET' && path.startsWith('/ledger/')) {
      try {
        this.ledgerQuery(path, url, res);
      } catch (err) {
        this.fail(res, err);
      }
    } else {
      send(res, 404, { error: `no route ${req.method ?? ''} ${path}` });
    }
  }

  private fail(res: ServerResponse, err: unknown): void {
    if (!(err instanceof HttpProblem)) {
      this.options.log?.error({ err }, 'carrier request failed');
      send(res, 500, { error: 'internal error' });
    } else if (err.issues === undefined) {
      send(res, err.status, { error: err.message });
    } else {
      send(res, err.status, { error: err.message, issues: err.issues });
    }
  }

  private async placeCall(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    if (this.closing) throw new HttpProblem(503, 'carrier is shutting down');
    if (!verifySignature(this.options.secret, raw, req.headers, Date.now())) {
      throw new HttpProblem(401, 'missing, wrong or expired signature');
    }
    const { request, simulate } = parseCallRequest(raw, req.headers[protocolHeaders.idempotencyKey]);

    const existing = this.ledger.findByKey(request.idempotencyKey);
    if (existing !== undefined) {
      this.ledger.recordDuplicate(existing, Date.now());
      send(res, 200, { callId: existing.callId, status: existing.status, duplicate: true });
      return;
    }

    const plan = planCall(
      request.to,
      request.metadata.attempt,
      request.idempotencyKey,
      simulate,
      this.options.simCallMs,
    );
    const call = this.ledger.recordRequest(randomUUID(), request, plan, Date.now());
    // With no call time, the outcome must reach the engine before the dial returns: time-skipping
    // workflow tests would otherwise jump straight past the outcome timeout. Callback retries are
    // awaited too; should they outlast the dialer's timeout, its retry is answered as a duplicate.
    if (plan.delayMs === 0) await this.runCall(call, false);
    else this.runInBackground(call, false);
    send(res, 201, { callId: call.callId, status: 'queued' });
  }

  private ledgerQuery(path: string, url: string, res: ServerResponse): void {
    const params = new URL(url, 'http://carrier').searchParams;
    const campaignId = params.get('campaignId') ?? undefined;
    if (path === '/ledger/stats') {
      send(res, 200, campaignId === undefined ? this.ledger.stats() : this.ledger.campaignStats(campaignId));
    } else if (path === '/ledger/calls') {
      // An unencoded + in a query string reads as a space; E.164 numbers never hold one.
      const to = params.get('to')?.replace(/^ /, '+');
      send(res, 200, { calls: this.ledger.calls({ campaignId, to }) });
    } else {
      send(res, 404, { error: `no route GET ${path}` });
    }
  }

  private runInBackground(call: CallRecord, resumed: boolean): void {
    this.runCall(call, resumed).catch((err: unknown) => {
      this.options.log?.error({ err, callId: call.callId }, 'simulated call failed');
    });
  }

  /**
   * Plays out what is left of a call: in_progress halfway through an answered call, completed at
   * its end. A call resumed after a restart is called back at once, its time long since up.
   */
  private async runCall(call: CallRecord, resumed: boolean): Promise<void> {
    const { plan } = call;
    const due = (fraction: number) =>
      resumed || this.timers.sleepUntil(call.requestedAtMs + plan.delayMs * fraction);
    if (!plan.sendCallbacks) {
      if (await due(1)) this.ledger.recordCallbackSkipped(call, Date.now());
      return;
    }
    if (plan.outcome === 'answered' && call.status === 'queued') {
      if (!(await due(0.5)) || !(await this.sendCallback(call, 'in_progress'))) return;
    }
    if (await due(1)) await this.sendCallback(call, 'completed');
  }

  /** False when the carrier closed before the receiver's answer was known. */
  private async sendCallback(call: CallRecord, event: CallbackEventName): Promise<boolean> {
    const { plan } = call;
    const common = {
      callId: call.callId,
      idempotencyKey: call.idempotencyKey,
      occurredAt: new Date().toISOString(),
      metadata: call.metadata,
    };
    const result = await this.sender.deliver(
      call.callbackUrl,
      event === 'in_progress'
        ? { ...common, event }
        : { ...common, event, outcome: plan.outcome, durationS: plan.durationS, optOut: plan.optOut },
    );
    if (result === 'aborted' || this.closing) return false;
    if (result.delivered) {
      this.ledger.recordCallbackSent(call, event, Date.now());
    } else {
      this.options.log?.warn({ callId: call.callId, event, reason: result.reason }, 'callback given up');
      this.ledger.recordCallbackFailed(call, event, result.reason, Date.now());
    }
    return true;
  }
}

function parseCallRequest(
  raw: Buffer,
  headerKey: string | string[] | undefined,
): { request: z.infer<typeof callRequestSchema>; simulate: SimulateOverride | undefined } {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpProblem(400, 'body is not JSON', []);
  }
  const parsed = callRequestSchema.safeParse(body);
  if (!parsed.success) throw new HttpProblem(400, 'invalid call request', issuesOf(parsed.error));
  const request = parsed.data;
  if (headerKey !== request.idempotencyKey) {
    throw new HttpProblem(400, 'invalid call request', [
      { path: 'idempotencyKey', message: `must equal the ${protocolHeaders.idempotencyKey} header` },
    ]);
  }
  // The engine forwards a contact's custom data as context.custom_data, so test data can steer
  // a simulated call from there as well as from context.simulate.
  const customData = request.context.custom_data;
  const [where, simulate] =
    isObject(request.context.simulate) || !isObject(customData)
      ? ['context.simulate', request.context.simulate]
      : ['context.custom_data.simulate', customData.simulate];
  if (!isObject(simulate)) return { request, simulate: undefined };
  const override = simulateSchema.safeParse(simulate);
  if (!override.success) {
    throw new HttpProblem(400, `invalid ${where}`, issuesOf(override.error, `${where}.`));
  }
  return { request, simulate: override.data };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function issuesOf(error: z.ZodError, prefix = ''): Issue[] {
  return error.issues.map((issue) => ({ path: prefix + issue.path.join('.'), message: issue.message }));
}

/** The whole body, or a 413 once it outgrows MAX_BODY_BYTES (the rest is drained, not kept). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.once('end', () => {
      if (size > MAX_BODY_BYTES) reject(new HttpProblem(413, `body larger than ${MAX_BODY_BYTES} bytes`));
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    req.once('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}
