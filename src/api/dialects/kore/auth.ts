import type { NextFunction, Request, Response } from 'express';
import type { AccountStore } from '../../../accounts/store';
import { headerValue, setAccount } from '../../auth';
import { verifyJwt } from '../../jwt';
import { sendKoreError } from './errors';

/**
 * Kore.ai's public-API authentication: the `auth` header holds a JWT signed (HS256) with the
 * account's secret, `iid` names the application, and `accountId` (header, or the query parameter
 * the trigger URL carries) names the account. The JWT must verify with that account's secret,
 * carry `appId` equal to `iid`, and `iid` must be the account's application id. Any failure is
 * a 401 that changes nothing; the account is read on every request, so a rotated secret takes
 * effect at once.
 */
export function requireKoreJwt(accounts: AccountStore) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const reject = (code: string, msg: string, field?: string) => sendKoreError(res, 401, code, msg, field);
    const token = headerValue(req, 'auth');
    const iid = headerValue(req, 'iid');
    const fromHeader = headerValue(req, 'accountid');
    const query = (req.query as Record<string, unknown>).accountId;
    const fromQuery = typeof query === 'string' && query.trim() ? query.trim() : undefined;
    if (!token) return reject('MISSING_AUTH', 'The auth header (a JWT) is required', 'auth');
    if (!iid) return reject('MISSING_IID', 'The iid header (the application id) is required', 'iid');
    if (!fromHeader && !fromQuery) {
      return reject(
        'MISSING_ACCOUNT_ID',
        'The accountId header (or query parameter) is required',
        'accountId',
      );
    }
    if (fromHeader && fromQuery && fromHeader !== fromQuery) {
      return reject(
        'ACCOUNT_ID_MISMATCH',
        'The accountId header and query parameter name different accounts',
        'accountId',
      );
    }
    const account = await accounts.findAccount((fromHeader ?? fromQuery) as string);
    // An unknown account and a wrong signature read the same, so account ids cannot be probed.
    const verified = verifyJwt(token, account?.jwtSecret ?? '');
    if (!verified.ok) {
      const code = verified.reason === 'expired' ? 'TOKEN_EXPIRED' : 'INVALID_TOKEN';
      return reject(code, verified.message, 'auth');
    }
    if (!account) return reject('INVALID_TOKEN', 'The JWT signature does not verify', 'auth');
    const appId: unknown = verified.claims.appId;
    if (typeof appId !== 'string' || appId !== iid) {
      return reject('APP_ID_MISMATCH', "The JWT's appId claim must equal the iid header", 'iid');
    }
    if (iid !== account.appId) {
      return reject('APP_ID_MISMATCH', "The iid header does not name this account's application", 'iid');
    }
    setAccount(res, account);
    next();
  };
}
