import jwt, { type JwtPayload } from 'jsonwebtoken';

/**
 * HS256 JSON Web Tokens, the way Kore.ai's public APIs take them in the `auth` header: signed with
 * the JWT app's client secret (here: the account's `jwtSecret`), carrying the app id as `appId`.
 * Kore.ai allows only HS256 for apps mapped to API scopes, so that is the one algorithm accepted:
 * `none`, the other HMAC sizes and every asymmetric algorithm are refused before any key is used.
 */
export const JWT_ALGORITHM = 'HS256';

/** Why a token was refused; each has a message fit to show the caller. */
export type JwtFailureReason =
  'missing' | 'malformed' | 'unsupported_algorithm' | 'bad_signature' | 'expired' | 'not_yet_valid';

/** The token's claims; `iat`, `exp` and `nbf` are checked, the rest are the caller's to read. */
export type JwtClaims = JwtPayload;

export type JwtVerification =
  { ok: true; claims: JwtClaims } | { ok: false; reason: JwtFailureReason; message: string };

export interface SignOptions {
  /** Lifetime in seconds; without it the token carries no `exp` and never expires. */
  expiresInS?: number;
  /** Epoch milliseconds taken as "now" (tests); defaults to the clock. */
  now?: number;
}

export interface VerifyOptions {
  /** Epoch milliseconds taken as "now" (tests); defaults to the clock. */
  now?: number;
  /** Seconds of clock skew allowed on `exp` and `nbf`. */
  clockToleranceS?: number;
}

/** Seconds of clock skew tolerated by default between the caller's clock and ours. */
export const DEFAULT_CLOCK_TOLERANCE_S = 30;

/** Signs `claims` with HS256; `iat` (and `exp` when a lifetime is given) are set here. */
export function signJwt(claims: Record<string, unknown>, secret: string, options: SignOptions = {}): string {
  if (!secret) throw new Error('cannot sign a JWT with an empty secret');
  const { expiresInS } = options;
  if (expiresInS !== undefined && (!Number.isInteger(expiresInS) || expiresInS <= 0)) {
    throw new RangeError(`expiresInS must be a positive whole number of seconds, got ${expiresInS}`);
  }
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const payload: Record<string, unknown> = { ...claims, iat };
  if (expiresInS !== undefined) payload.exp = iat + expiresInS;
  return jwt.sign(payload, secret, { algorithm: JWT_ALGORITHM });
}

/**
 * Checks the token's form, its algorithm (HS256 only), its signature against `secret`, and its
 * `exp` / `nbf` claims. Claims beyond those (such as `appId`) are the caller's to check.
 */
export function verifyJwt(
  token: string | undefined,
  secret: string,
  options: VerifyOptions = {},
): JwtVerification {
  if (!token) return fail('missing', 'No JWT was given');
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload === 'string') {
    return fail('malformed', 'The JWT is malformed: expected header.payload.signature with a JSON payload');
  }
  const alg = decoded.header.alg;
  if (alg !== JWT_ALGORITHM) {
    return fail(
      'unsupported_algorithm',
      `JWT algorithm ${JSON.stringify(alg)} is not accepted: sign with ${JWT_ALGORITHM}`,
    );
  }
  if (!secret) return fail('bad_signature', 'The JWT signature does not verify');
  try {
    const claims = jwt.verify(token, secret, {
      algorithms: [JWT_ALGORITHM],
      clockTolerance: options.clockToleranceS ?? DEFAULT_CLOCK_TOLERANCE_S,
      clockTimestamp: Math.floor((options.now ?? Date.now()) / 1000),
    });
    if (typeof claims === 'string') return fail('malformed', 'The JWT payload is not a JSON object');
    return { ok: true, claims };
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) {
      return fail('expired', `The JWT expired at ${err.expiredAt.toISOString()}`);
    }
    if (err instanceof jwt.NotBeforeError) {
      return fail('not_yet_valid', `The JWT is not valid before ${err.date.toISOString()}`);
    }
    const message = (err as Error).message;
    if (message === 'invalid signature') return fail('bad_signature', 'The JWT signature does not verify');
    return fail('malformed', `The JWT is malformed: ${message}`);
  }
}

function fail(reason: JwtFailureReason, message: string): JwtVerification {
  return { ok: false, reason, message };
}

/** "3600", "90s", "15m", "12h", "7d" as seconds; undefined for anything else. */
export function parseLifetime(text: string): number | undefined {
  const match = /^(\d{1,9})([smhd]?)$/.exec(text.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = n * unit;
  return seconds > 0 ? seconds : undefined;
}
