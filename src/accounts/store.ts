import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { generateApiKey, generateSecret, hashApiKey, keyPrefix } from './keys';

export interface Account {
  _id: string;
  name: string;
  /** Kore.ai application id: the `iid` header and the JWT's `appId` claim must equal it. */
  appId: string;
  /** HS256 secret for the account's JWTs. Kept readable because verifying an HMAC needs it. */
  jwtSecret: string;
  /** Live calls allowed across all the account's campaigns (0 = no cap beyond each campaign's). */
  maxConcurrentCalls: number;
  createdAt: Date;
}

interface ApiKeyDoc {
  _id: string;
  accountId: string;
  prefix: string;
  label?: string;
  createdAt: Date;
  revokedAt?: Date;
}

export interface NewAccount {
  id?: string;
  name: string;
  appId?: string;
  jwtSecret?: string;
  maxConcurrentCalls?: number;
}

export class AccountStore {
  private readonly accounts: Collection<Account>;
  private readonly keys: Collection<ApiKeyDoc>;

  constructor(db: Db) {
    this.accounts = db.collection<Account>('accounts');
    this.keys = db.collection<ApiKeyDoc>('api_keys');
  }

  /** Only where the server reads through secondary indexes (`queryIndexes`). */
  async ensureIndexes({ queryIndexes }: { queryIndexes: boolean }): Promise<void> {
    if (queryIndexes) await this.keys.createIndex({ accountId: 1 });
  }

  /** Creates the account, or returns the existing one with that id unchanged. */
  async upsertAccount(input: NewAccount): Promise<Account> {
    const id = input.id ?? `acc_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const fresh: Account = {
      _id: id,
      name: input.name,
      appId: input.appId ?? `st-${randomUUID()}`,
      jwtSecret: input.jwtSecret ?? generateSecret(),
      maxConcurrentCalls: input.maxConcurrentCalls ?? 0,
      createdAt: new Date(),
    };
    await this.accounts.updateOne({ _id: id }, { $setOnInsert: fresh }, { upsert: true });
    const stored = await this.accounts.findOne({ _id: id });
    if (!stored) throw new Error(`account ${id} vanished right after its upsert`);
    return stored;
  }

  /** Sets fields an operator chose explicitly (dev start-up honours DEV_* variables each time). */
  async updateAccount(
    id: string,
    fields: Partial<Pick<Account, 'appId' | 'jwtSecret' | 'name'>>,
  ): Promise<void> {
    await this.accounts.updateOne({ _id: id }, { $set: fields });
  }

  /** Sets the account's cap on live calls across its campaigns; false when there is no such account. */
  async setMaxConcurrentCalls(id: string, maxConcurrentCalls: number): Promise<boolean> {
    const result = await this.accounts.updateOne({ _id: id }, { $set: { maxConcurrentCalls } });
    return result.matchedCount === 1;
  }

  findAccount(id: string): Promise<Account | null> {
    return this.accounts.findOne({ _id: id });
  }

  /** Registers `key` (or a fresh one) for the account; returns the plaintext once. */
  async addApiKey(accountId: string, key = generateApiKey(), label?: string): Promise<string> {
    await this.keys.updateOne(
      { _id: hashApiKey(key) },
      { $setOnInsert: { accountId, prefix: keyPrefix(key), label, createdAt: new Date() } },
      { upsert: true },
    );
    const stored = await this.keys.findOne({ _id: hashApiKey(key) });
    if (stored?.accountId !== accountId) throw new Error('that API key already belongs to another account');
    return key;
  }

  async accountForApiKey(key: string): Promise<Account | null> {
    const doc = await this.keys.findOne({ _id: hashApiKey(key), revokedAt: { $exists: false } });
    return doc ? this.findAccount(doc.accountId) : null;
  }

  async revokeApiKey(key: string): Promise<boolean> {
    const result = await this.keys.updateOne({ _id: hashApiKey(key) }, { $set: { revokedAt: new Date() } });
    return result.modifiedCount === 1;
  }
}
