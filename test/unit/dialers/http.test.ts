import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isCallToken } from '../../../src/dialers/call-token';
import { HttpVoiceAgentDialer } from '../../../src/dialers/http';
import { verifySignature } from '../../../src/dialers/signature';
import { DialerError } from '../../../src/dialers/types';
import {
  callRequest,
  makeTempDir,
  secret,
  startCarrier,
  startReceiver,
  useCleanup,
} from '../carrier/fixtures';

const cleanup = useCleanup();

/** A provider that answers whatever `handler` says, for the answers a well-behaved carrier never gives. */
async function startFakeProvider(
  handler: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void,
): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handler(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function dialError(
  dialer: HttpVoiceAgentDialer,
  url = 'http://127.0.0.1:9/webhooks',
): Promise<DialerError> {
  const err: unknown = await dialer.placeCall(callRequest(url)).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DialerError)) throw new Error(`expected a DialerError, got ${String(err)}`);
  return err;
}

describe('HttpVoiceAgentDialer against the simulated carrier', () => {
  async function setup() {
    const receiver = await startReceiver(cleanup);
    const carrier = await startCarrier(cleanup, { ledgerPath: join(makeTempDir(cleanup), 'ledger.jsonl') });
    const dialer = new HttpVoiceAgentDialer({ baseUrl: `${carrier.url}/`, secret });
    return { receiver, carrier, dialer };
  }

  it('places a new call and gets its call id', async () => {
    const { receiver, carrier, dialer } = await setup();
    const req = callRequest(receiver.url);
    const result = await dialer.placeCall(req);
    expect(result).toEqual({
      callId: carrier.ledger.findByKey(req.idempotencyKey)?.callId,
      duplicate: false,
    });
    expect(result.callId).not.toBe('');
    expect(dialer.name).toBe('http-voice-agent');
  });

  it('gets the first call back, marked duplicate, when the same key is dialled again', async () => {
    const { receiver, carrier, dialer } = await setup();
    const req = callRequest(receiver.url);
    const first = await dialer.placeCall(req);
    const again = await dialer.placeCall({ ...req, to: '+14155550105' });
    expect(again).toEqual({ callId: first.callId, duplicate: true });
    expect(carrier.ledger.stats()).toMatchObject({ callsPlaced: 1, duplicatesRefused: 1 });
    expect(carrier.ledger.calls().map((call) => call.to)).toEqual([req.to]);
  });

  it('reports a malformed request (400) as not retryable, and places nothing', async () => {
    const { receiver, carrier, dialer } = await setup();
    const bad = { ...callRequest(receiver.url), to: '4155550123' };
    const err = await dialer.placeCall(bad).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DialerError);
    expect(err).toMatchObject({ retryable: false, status: 400 });
    expect((err as DialerError).message).toContain('E.164');
    expect(carrier.ledger.stats().callsPlaced).toBe(0);
  });

  it('reports a bad signature (401) as not retryable, and places nothing', async () => {
    const { receiver, carrier } = await setup();
    const dialer = new HttpVoiceAgentDialer({ baseUrl: carrier.url, secret: 'not-the-shared-secret' });
    const err = await dialError(dialer, receiver.url);
    expect(err).toMatchObject({ retryable: false, status: 401 });
    expect(carrier.ledger.stats().callsPlaced).toBe(0);
  });
});

describe('HttpVoiceAgentDialer against a misbehaving provider', () => {
  it('sends the JSON body, its metadata with our call token, with the idempotency-key header and a valid signature', async () => {
    let seen: { headers: IncomingHttpHeaders; body: Buffer; method?: string; url?: string } | undefined;
    const baseUrl = await startFakeProvider((req, body, res) => {
      seen = { headers: req.headers, body, method: req.method, url: req.url };
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ callId: 'prov-1', status: 'queued' }));
    });
    const req = callRequest('http://api.example/webhooks/calls');
    const result = await new HttpVoiceAgentDialer({ baseUrl, secret }).placeCall(req);
    expect(result).toEqual({ callId: 'prov-1', duplicate: false });
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/calls');
    expect(seen?.headers['idempotency-key']).toBe(req.idempotencyKey);
    expect(seen?.headers['content-type']).toBe('application/json');
    const sent = JSON.parse(seen?.body.toString() ?? '') as typeof req;
    expect(sent).toEqual({ ...req, metadata: { ...req.metadata, token: sent.metadata.token } });
    expect(isCallToken(secret, sent.metadata.token ?? '', req.idempotencyKey, req.metadata)).toBe(true);
    expect(verifySignature(secret, seen?.body ?? '', seen?.headers ?? {}, Date.now())).toBe(true);
  });

  it.each([503, 500, 429, 408])('treats %i as retryable', async (status) => {
    const baseUrl = await startFakeProvider((_req, _body, res) => {
      res.writeHead(status);
      res.end('try later');
    });
    const err = await dialError(new HttpVoiceAgentDialer({ baseUrl, secret }));
    expect(err).toMatchObject({ retryable: true, status });
    expect(err.message).toContain('try later');
  });

  it.each([404, 409, 422])('treats %i as not retryable', async (status) => {
    const baseUrl = await startFakeProvider((_req, _body, res) => {
      res.writeHead(status);
      res.end();
    });
    expect(await dialError(new HttpVoiceAgentDialer({ baseUrl, secret }))).toMatchObject({
      retryable: false,
      status,
    });
  });

  it('treats a provider that never answers as a retryable timeout', async () => {
    const baseUrl = await startFakeProvider(() => undefined);
    const err = await dialError(new HttpVoiceAgentDialer({ baseUrl, secret, timeoutMs: 150, name: 'slow' }));
    expect(err).toMatchObject({ retryable: true, status: undefined });
    expect(err.message).toBe('slow: call request timed out after 150 ms');
  });

  it('treats a refused connection as retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await dialError(new HttpVoiceAgentDialer({ baseUrl: `http://127.0.0.1:${port}`, secret }));
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('treats a 201 with a body that is not a call acceptance as retryable', async () => {
    const baseUrl = await startFakeProvider((_req, _body, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'x' }));
    });
    expect(await dialError(new HttpVoiceAgentDialer({ baseUrl, secret }))).toMatchObject({
      retryable: true,
      status: 201,
    });
  });
});
