import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contactWorkflowId, dialIdempotencyKey } from '../../../src/domain/ids';
import { callbackEventSchema, type CallbackEvent } from '../../../src/dialers/protocol';
import { verifySignature } from '../../../src/dialers/signature';
import type { PlaceCallRequest } from '../../../src/dialers/types';
import {
  createCarrierServer,
  type CarrierServer,
  type CarrierServerOptions,
} from '../../../src/carrier/server';

/** Shared by the carrier and dialer tests: real servers on ephemeral ports, real files. */
export const secret = 'unit-test-webhook-secret';

/** Registers teardown steps that run after each test, last registered first. */
export function useCleanup(): (step: () => unknown) => void {
  const steps: Array<() => unknown> = [];
  afterEach(async () => {
    for (let step = steps.pop(); step !== undefined; step = steps.pop()) await step();
  });
  return (step) => {
    steps.push(step);
  };
}

export function makeTempDir(cleanup: (step: () => unknown) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'carrier-test-'));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let contactSeq = 0;

export function callRequest(
  callbackUrl: string,
  over: {
    to?: string;
    attempt?: number;
    campaignId?: string;
    contactId?: string;
    accountId?: string;
    context?: PlaceCallRequest['context'];
  } = {},
): PlaceCallRequest {
  const campaignId = over.campaignId ?? 'cmp-1';
  const contactId = over.contactId ?? `ct-${++contactSeq}`;
  const attempt = over.attempt ?? 1;
  const workflowId = contactWorkflowId(campaignId, contactId);
  return {
    idempotencyKey: dialIdempotencyKey(workflowId, attempt),
    to: over.to ?? '+14155550101',
    context: over.context ?? { name: 'Ada', custom_data: { company: 'Acme' } },
    callbackUrl,
    metadata: { workflowId, campaignId, contactId, accountId: over.accountId ?? 'acc-1', attempt },
  };
}

export interface ReceivedCallback {
  /** Undefined when the body did not match the callback schema. */
  event: CallbackEvent | undefined;
  signatureValid: boolean;
  headers: IncomingHttpHeaders;
  receivedAtMs: number;
  answeredWith: number;
}

export interface Receiver {
  url: string;
  hits: ReceivedCallback[];
  close(): Promise<void>;
}

/** Our webhook's stand-in: records every callback and answers what `respond` says. */
export async function startReceiver(
  cleanup: (step: () => unknown) => void,
  respond: (event: CallbackEvent | undefined, hitNo: number) => number = () => 200,
): Promise<Receiver> {
  const hits: ReceivedCallback[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const parsed = callbackEventSchema.safeParse(JSON.parse(raw.toString('utf8')));
      const event = parsed.success ? parsed.data : undefined;
      const answeredWith = respond(event, hits.length + 1);
      hits.push({
        event,
        signatureValid: verifySignature(secret, raw, req.headers, Date.now()),
        headers: req.headers,
        receivedAtMs: Date.now(),
        answeredWith,
      });
      res.writeHead(answeredWith, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  cleanup(close);
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/webhooks/calls`, hits, close };
}

export async function startCarrier(
  cleanup: (step: () => unknown) => void,
  options: Partial<CarrierServerOptions> & { ledgerPath: string },
): Promise<CarrierServer> {
  const carrier = await createCarrierServer({ port: 0, simCallMs: 0, secret, ...options });
  cleanup(() => carrier.close());
  return carrier;
}

export async function waitFor(condition: () => boolean, timeoutMs = 4000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function events(receiver: Receiver): Array<CallbackEvent['event'] | undefined> {
  return receiver.hits.map((hit) => hit.event?.event);
}
