import { createHmac, timingSafeEqual } from 'node:crypto';
import { protocolHeaders } from './protocol';

/**
 * HMAC-SHA256 signatures for both directions of the call-provider protocol: the digest covers
 * `<timestamp ms>.<raw body>`, so a captured request cannot be replayed with another body, and the
 * timestamp bounds how long a captured one stays usable.
 */
export const SIGNATURE_TOLERANCE_MS = 300_000;

export type SignatureHeaders = {
  [protocolHeaders.signature]: string;
  [protocolHeaders.signatureTimestamp]: string;
};

/** Node's IncomingHttpHeaders, or any lower-cased header record. */
export type HeaderRecord = Readonly<Record<string, string | readonly string[] | undefined>>;

const SIGNATURE_PATTERN = /^v1=([0-9a-f]{64})$/;
const TIMESTAMP_PATTERN = /^\d{1,16}$/;

function digest(secret: string, timestamp: string, rawBody: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

export function signPayload(secret: string, rawBody: string | Buffer, nowMs: number): SignatureHeaders {
  const timestamp = String(Math.trunc(nowMs));
  return {
    [protocolHeaders.signature]: `v1=${digest(secret, timestamp, rawBody).toString('hex')}`,
    [protocolHeaders.signatureTimestamp]: timestamp,
  };
}

/** A header sent twice is ambiguous, so it counts as missing. */
function single(headers: HeaderRecord, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

export function verifySignature(
  secret: string,
  rawBody: string | Buffer,
  headers: HeaderRecord,
  nowMs: number,
  toleranceMs = SIGNATURE_TOLERANCE_MS,
): boolean {
  const timestamp = single(headers, protocolHeaders.signatureTimestamp);
  const signature = single(headers, protocolHeaders.signature);
  if (timestamp === undefined || signature === undefined || !TIMESTAMP_PATTERN.test(timestamp)) return false;
  if (Math.abs(nowMs - Number(timestamp)) > toleranceMs) return false;
  const hex = SIGNATURE_PATTERN.exec(signature)?.[1];
  if (hex === undefined) return false;
  // The pattern fixes the length at 32 bytes, which timingSafeEqual requires of both sides.
  return timingSafeEqual(Buffer.from(hex, 'hex'), digest(secret, timestamp, rawBody));
}
