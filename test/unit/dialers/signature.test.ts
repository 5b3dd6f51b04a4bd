import { createHmac } from 'node:crypto';
import { signPayload, verifySignature } from '../../../src/dialers/signature';

const secret = 'signature-test-secret-123';
const body = JSON.stringify({ callId: 'c-1', event: 'completed', outcome: 'answered' });
const now = 1_767_261_600_000;

describe('signPayload', () => {
  it('signs `<timestamp>.<body>` with HMAC-SHA256 as v1=<lower-case hex>', () => {
    const headers = signPayload(secret, body, now);
    const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    expect(headers).toEqual({ 'x-signature': `v1=${expected}`, 'x-signature-timestamp': String(now) });
  });

  it('signs a Buffer body exactly like the same text', () => {
    expect(signPayload(secret, Buffer.from(body), now)).toEqual(signPayload(secret, body, now));
  });
});

describe('verifySignature', () => {
  const headers = signPayload(secret, body, now);

  it('accepts what signPayload produced, within five minutes either way', () => {
    expect(verifySignature(secret, body, headers, now)).toBe(true);
    expect(verifySignature(secret, Buffer.from(body), headers, now + 299_000)).toBe(true);
    expect(verifySignature(secret, body, headers, now - 300_000)).toBe(true);
  });

  it('rejects a tampered body', () => {
    expect(verifySignature(secret, body.replace('answered', 'busy'), headers, now)).toBe(false);
    expect(verifySignature(secret, `${body} `, headers, now)).toBe(false);
  });

  it('rejects the wrong secret', () => {
    expect(verifySignature('another-secret-entirely', body, headers, now)).toBe(false);
  });

  it('rejects a stale or far-future timestamp', () => {
    expect(verifySignature(secret, body, headers, now + 300_001)).toBe(false);
    expect(verifySignature(secret, body, headers, now - 300_001)).toBe(false);
    expect(verifySignature(secret, body, headers, now + 60_000, 30_000)).toBe(false);
  });

  it('rejects a timestamp changed after signing', () => {
    expect(verifySignature(secret, body, { ...headers, 'x-signature-timestamp': String(now + 1) }, now)).toBe(
      false,
    );
  });

  it('rejects missing, repeated and garbled headers without throwing', () => {
    const signature = headers['x-signature'];
    const cases: Array<Record<string, string | string[] | undefined>> = [
      {},
      { 'x-signature': signature },
      { 'x-signature-timestamp': String(now) },
      { ...headers, 'x-signature': signature.slice(0, -2) },
      { ...headers, 'x-signature': `${signature}00` },
      { ...headers, 'x-signature': signature.replace('v1=', 'v2=') },
      { ...headers, 'x-signature': signature.toUpperCase() },
      { ...headers, 'x-signature': 'v1=' + 'z'.repeat(64) },
      { ...headers, 'x-signature': [signature, signature] },
      { ...headers, 'x-signature-timestamp': 'yesterday' },
      { ...headers, 'x-signature-timestamp': '' },
      { ...headers, 'x-signature-timestamp': `${now}.5` },
    ];
    for (const bad of cases) expect(verifySignature(secret, body, bad, now)).toBe(false);
  });
});
