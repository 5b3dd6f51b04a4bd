import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CallMetadata } from './protocol';

/** Names what the MAC is over, so that no other use of the secret can produce a call's token. */
const PURPOSE = 'call-token/v1';

type CallIdentity = Omit<CallMetadata, 'token'>;

function mac(secret: string, idempotencyKey: string, m: CallIdentity): Buffer {
  // A JSON array keeps the fields apart whatever characters they hold.
  const fields = [PURPOSE, idempotencyKey, m.workflowId, m.campaignId, m.contactId, m.accountId, m.attempt];
  return createHmac('sha256', secret).update(JSON.stringify(fields)).digest();
}

/**
 * The token the dialer puts in a call's metadata: a MAC over the call's idempotency key and the
 * rest of its metadata, which the provider echoes in every callback. The webhook checks it instead
 * of reading the call's record to learn that we placed that call for that contact and attempt.
 */
export function callToken(secret: string, idempotencyKey: string, metadata: CallIdentity): string {
  return mac(secret, idempotencyKey, metadata).toString('base64url');
}

/** Whether `token` is the one we minted for this key and metadata. */
export function isCallToken(
  secret: string,
  token: string,
  idempotencyKey: string,
  metadata: CallIdentity,
): boolean {
  const given = Buffer.from(token, 'base64url');
  const expected = mac(secret, idempotencyKey, metadata);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
