import { createHash, randomBytes } from 'node:crypto';

/** API keys are shown once and stored only as their SHA-256, so a database leak leaks no key. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(): string {
  return `ce_${randomBytes(24).toString('base64url')}`;
}

export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Enough of a key to recognise it in a listing without revealing it. */
export function keyPrefix(key: string): string {
  return key.slice(0, 10);
}
