import type { NextFunction, Request, Response } from 'express';
import { hashApiKey } from '../accounts/keys';
import type { Account, AccountStore } from '../accounts/store';

/** Keys are looked up once per this long; a revoked key stops working within it. */
const KEY_CACHE_MS = 30_000;
const KEY_CACHE_LIMIT = 10_000;

/** Resolves API keys to accounts, remembering recent answers so each request is not a database read. */
export class ApiKeyResolver {
  private readonly cache = new Map<string, { account: Account | null; until: number }>();

  constructor(private readonly accounts: AccountStore) {}

  async resolve(key: string): Promise<Account | null> {
    const now = Date.now();
    // Held by its hash: a flood of long made-up keys then costs 64 bytes an entry, not their length.
    const slot = hashApiKey(key);
    const hit = this.cache.get(slot);
    if (hit && hit.until > now) return hit.account;
    const account = await this.accounts.accountForApiKey(key);
    if (this.cache.size >= KEY_CACHE_LIMIT) this.cache.clear();
    this.cache.set(slot, { account, until: now + KEY_CACHE_MS });
    return account;
  }
}

export function headerValue(req: Request, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.trim() || undefined;
}

/** The account a request was authenticated as (set by an auth middleware of its dialect). */
export function accountOf(res: Response): Account {
  const account = (res.locals as { account?: Account }).account;
  if (!account) throw new Error('route reached without authentication');
  return account;
}

export function setAccount(res: Response, account: Account): void {
  (res.locals as { account?: Account }).account = account;
}

/**
 * `x-api-key` authentication. `reject` renders the 401 in the dialect's own envelope; a wrong key
 * and a missing key are told apart in the message only.
 */
export function requireApiKey(
  resolver: ApiKeyResolver,
  reject: (res: Response, message: string) => void,
  headers: string[] = ['x-api-key'],
) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = headers.map((h) => headerValue(req, h)).find(Boolean);
    if (!key) return reject(res, 'Missing API key (x-api-key header)');
    const account = await resolver.resolve(key.replace(/^Bearer\s+/i, ''));
    if (!account) return reject(res, 'Invalid API key');
    setAccount(res, account);
    next();
  };
}
