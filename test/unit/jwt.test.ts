import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { DEFAULT_CLOCK_TOLERANCE_S, parseLifetime, signJwt, verifyJwt } from '../../src/api/jwt';

const SECRET = 'account-secret-0123456789abcdef';
const NOW = Date.parse('2026-01-15T12:00:00Z');
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token put together by hand, for headers jsonwebtoken would refuse to produce. */
function handMade(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret = SECRET,
): string {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  const signature = createHmac('sha256', secret).update(unsigned).digest('base64url');
  return `${unsigned}.${signature}`;
}

describe('signJwt', () => {
  it('signs HS256 with iat and, when asked, exp', () => {
    const token = signJwt({ appId: 'st-app' }, SECRET, { expiresInS: 600, now: NOW });
    const decoded = jwt.decode(token, { complete: true });
    expect(decoded?.header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(decoded?.payload).toEqual({ appId: 'st-app', iat: NOW / 1000, exp: NOW / 1000 + 600 });
    // The signature is the standard one: another library verifies it.
    expect(jwt.verify(token, SECRET, { algorithms: ['HS256'], clockTimestamp: NOW / 1000 })).toMatchObject({
      appId: 'st-app',
    });
  });

  it('leaves exp out when no lifetime is given', () => {
    const payload = jwt.decode(signJwt({ appId: 'a' }, SECRET, { now: NOW })) as Record<string, unknown>;
    expect(payload).toEqual({ appId: 'a', iat: NOW / 1000 });
  });

  it('refuses an empty secret and a lifetime that is not a positive whole number', () => {
    expect(() => signJwt({}, '')).toThrow(/empty secret/);
    expect(() => signJwt({}, SECRET, { expiresInS: 0 })).toThrow(RangeError);
    expect(() => signJwt({}, SECRET, { expiresInS: 1.5 })).toThrow(RangeError);
  });
});

describe('verifyJwt', () => {
  it('accepts a token it signed and returns its claims', () => {
    const token = signJwt({ appId: 'st-app', sub: 'ops' }, SECRET, { expiresInS: 60, now: NOW });
    const result = verifyJwt(token, SECRET, { now: NOW + 30_000 });
    expect(result).toEqual({
      ok: true,
      claims: { appId: 'st-app', sub: 'ops', iat: NOW / 1000, exp: NOW / 1000 + 60 },
    });
  });

  it('accepts a token another HS256 signer made (jwt.io style)', () => {
    const token = handMade({ alg: 'HS256', typ: 'JWT' }, { appId: 'st-app' });
    expect(verifyJwt(token, SECRET)).toMatchObject({ ok: true, claims: { appId: 'st-app' } });
  });

  it('refuses a wrong secret as a bad signature', () => {
    const token = signJwt({ appId: 'st-app' }, 'another-secret-entirely');
    expect(verifyJwt(token, SECRET)).toEqual({
      ok: false,
      reason: 'bad_signature',
      message: 'The JWT signature does not verify',
    });
  });

  it('refuses a token whose payload was changed after signing', () => {
    const [header, , signature] = signJwt({ appId: 'st-app' }, SECRET).split('.');
    const forged = `${header}.${b64({ appId: 'st-other' })}.${signature}`;
    expect(verifyJwt(forged, SECRET)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses an expired token, naming when it expired', () => {
    const token = signJwt({ appId: 'st-app' }, SECRET, { expiresInS: 60, now: NOW });
    const later = NOW + (60 + DEFAULT_CLOCK_TOLERANCE_S + 1) * 1000;
    expect(verifyJwt(token, SECRET, { now: later })).toEqual({
      ok: false,
      reason: 'expired',
      message: 'The JWT expired at 2026-01-15T12:01:00.000Z',
    });
  });

  it('tolerates clock skew up to the tolerance and no further', () => {
    const token = signJwt({ appId: 'st-app' }, SECRET, { expiresInS: 60, now: NOW });
    const justInside = NOW + (60 + DEFAULT_CLOCK_TOLERANCE_S - 1) * 1000;
    expect(verifyJwt(token, SECRET, { now: justInside }).ok).toBe(true);
    expect(verifyJwt(token, SECRET, { now: justInside, clockToleranceS: 0 })).toMatchObject({
      reason: 'expired',
    });
  });

  it('refuses a token used before its nbf', () => {
    const token = handMade({ alg: 'HS256', typ: 'JWT' }, { appId: 'a', nbf: NOW / 1000 + 3600 });
    expect(verifyJwt(token, SECRET, { now: NOW })).toMatchObject({ ok: false, reason: 'not_yet_valid' });
  });

  it('refuses alg "none", even with an empty signature that would need no key', () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ appId: 'st-app' })}.`;
    expect(verifyJwt(unsigned, SECRET)).toEqual({
      ok: false,
      reason: 'unsupported_algorithm',
      message: 'JWT algorithm "none" is not accepted: sign with HS256',
    });
  });

  it.each(['HS384', 'HS512', 'RS256', 'ES256'])('refuses %s', (alg) => {
    const token = handMade({ alg, typ: 'JWT' }, { appId: 'st-app' });
    expect(verifyJwt(token, SECRET)).toMatchObject({ ok: false, reason: 'unsupported_algorithm' });
  });

  it.each([
    ['not a token at all', 'hello'],
    ['two parts', 'abc.def'],
    ['a payload that is not JSON', `${b64({ alg: 'HS256' })}.bm90IGpzb24.sig`],
  ])('refuses %s as malformed', (_label, token) => {
    expect(verifyJwt(token, SECRET)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('refuses a missing token and an empty secret', () => {
    expect(verifyJwt(undefined, SECRET)).toMatchObject({ ok: false, reason: 'missing' });
    expect(verifyJwt('', SECRET)).toMatchObject({ ok: false, reason: 'missing' });
    const token = signJwt({ appId: 'st-app' }, SECRET);
    expect(verifyJwt(token, '')).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses an exp that is not a number', () => {
    const token = handMade({ alg: 'HS256', typ: 'JWT' }, { appId: 'a', exp: 'tomorrow' });
    expect(verifyJwt(token, SECRET)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('parseLifetime', () => {
  it.each([
    ['3600', 3600],
    ['90s', 90],
    ['15m', 900],
    ['12h', 43200],
    ['7d', 604800],
    [' 1h ', 3600],
  ])('reads %j as %d seconds', (text, seconds) => {
    expect(parseLifetime(text)).toBe(seconds);
  });

  it.each(['', '0', '0h', '-5', '1.5h', '1w', 'h', 'soon'])('refuses %j', (text) => {
    expect(parseLifetime(text)).toBeUndefined();
  });
});
