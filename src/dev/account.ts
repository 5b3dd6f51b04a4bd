import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AccountStore } from '../accounts/store';
import { generateApiKey, generateSecret } from '../accounts/keys';
import type { Config } from '../config';

export interface DevCredentials {
  accountId: string;
  apiKey: string;
  appId: string;
  jwtSecret: string;
}

/**
 * The account `npm run dev` signs you in as. DEV_* variables win; otherwise the values generated
 * on the first run are kept in the data folder, so a restart does not change your key.
 */
export async function ensureDevAccount(
  accounts: AccountStore,
  config: Config,
  file: string,
): Promise<DevCredentials> {
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DevCredentials>) : {};
  const creds: DevCredentials = {
    accountId: config.DEV_ACCOUNT_ID ?? saved.accountId ?? 'dev',
    apiKey: config.DEV_API_KEY ?? saved.apiKey ?? generateApiKey(),
    appId: config.DEV_APP_ID ?? saved.appId ?? 'st-dev-app',
    jwtSecret: config.DEV_JWT_SECRET ?? saved.jwtSecret ?? generateSecret(),
  };
  await accounts.upsertAccount({ id: creds.accountId, name: 'Development account' });
  await accounts.updateAccount(creds.accountId, { appId: creds.appId, jwtSecret: creds.jwtSecret });
  await accounts.addApiKey(creds.accountId, creds.apiKey, 'dev');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  return creds;
}
