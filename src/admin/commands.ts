import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Collection, Db } from 'mongodb';
import { accountLinesWorkflow } from '../../workflows/account-lines';
import { accountCapChangedSignal } from '../../workflows/messages';
import { generateSecret } from '../accounts/keys';
import { AccountStore, type Account } from '../accounts/store';
import { signJwt } from '../api/jwt';
import { CampaignStore } from '../campaigns/store';
import { accountLinesWorkflowId } from '../domain/ids';
import { accountLinesStart } from '../temporal/account-lines';

/**
 * What the accounts CLI does, apart from parsing and printing: each command takes the database
 * and its checked options and returns a result to print, or throws an AdminError.
 */

/** A refusal the operator can act on: not found, already exists... (exit code 1). */
export class AdminError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminError';
  }
}

/** An API key as the CLI shows it: never its hash, never the key itself after creation. */
export interface KeyInfo {
  prefix: string;
  label?: string;
  createdAt: Date;
  revokedAt?: Date;
}

interface StoredKey extends KeyInfo {
  _id: string;
  accountId: string;
}

export interface AccountView {
  id: string;
  name: string;
  appId: string;
  maxConcurrentCalls: number;
  createdAt: Date;
  jwtSecret?: string;
}

function view(account: Account, withSecret: boolean): AccountView {
  return {
    id: account._id,
    name: account.name,
    appId: account.appId,
    maxConcurrentCalls: account.maxConcurrentCalls,
    createdAt: account.createdAt,
    ...(withSecret && { jwtSecret: account.jwtSecret }),
  };
}

/** The Temporal client and the task queue the engine's workers poll. */
export interface TemporalAccess {
  client: Client;
  taskQueue: string;
}

export class AdminCommands {
  private readonly accounts: AccountStore;
  private readonly campaigns: CampaignStore;
  private readonly keys: Collection<StoredKey>;

  /** `temporal`: to tell running workflows of a change they must follow; commands that need it say so. */
  constructor(
    db: Db,
    private readonly temporal?: TemporalAccess,
  ) {
    this.accounts = new AccountStore(db);
    this.campaigns = new CampaignStore(db);
    // Read directly for listings and revocation by prefix; the hash (`_id`) never leaves here.
    this.keys = db.collection<StoredKey>('api_keys');
  }

  private async account(id: string): Promise<Account> {
    const account = await this.accounts.findAccount(id);
    if (!account) throw new AdminError(`No account with id ${JSON.stringify(id)}`);
    return account;
  }

  async createAccount(input: {
    name: string;
    id?: string;
    appId?: string;
    maxConcurrentCalls?: number;
  }): Promise<AccountView> {
    if (input.id && (await this.accounts.findAccount(input.id))) {
      throw new AdminError(`An account with id ${JSON.stringify(input.id)} already exists`);
    }
    const account = await this.accounts.upsertAccount({
      name: input.name,
      ...(input.id !== undefined && { id: input.id }),
      ...(input.appId !== undefined && { appId: input.appId }),
      ...(input.maxConcurrentCalls !== undefined && { maxConcurrentCalls: input.maxConcurrentCalls }),
    });
    return view(account, true);
  }

  /**
   * Sets the account's cap. With Temporal at hand, the account's lines workflow is told (and, for a
   * cap, started if none runs): it applies the change at once and asks every running or paused
   * campaign of the account to report, so that those started while the account had no cap join it
   * (`campaignsRunning`: how many there are). Without, campaigns started under a cap follow the
   * change within a minute, and those started outside one stay outside until the lines workflow
   * next starts afresh.
   */
  async setAccountCap(
    accountId: string,
    maxConcurrentCalls: number,
  ): Promise<AccountView & { campaignsRunning?: number }> {
    if (!(await this.accounts.setMaxConcurrentCalls(accountId, maxConcurrentCalls))) {
      throw new AdminError(`No account with id ${JSON.stringify(accountId)}`);
    }
    const account = view(await this.account(accountId), false);
    if (!this.temporal) return account;
    await this.tellAccountLines(this.temporal, accountId, maxConcurrentCalls > 0);
    return { ...account, campaignsRunning: (await this.campaigns.activeCampaignIds(accountId)).length };
  }

  private async tellAccountLines(
    { client, taskQueue }: TemporalAccess,
    accountId: string,
    startIfNone: boolean,
  ): Promise<void> {
    if (startIfNone) {
      await client.workflow.signalWithStart(accountLinesWorkflow, {
        ...accountLinesStart(accountId, taskQueue),
        signal: accountCapChangedSignal,
      });
      return;
    }
    try {
      await client.workflow.getHandle(accountLinesWorkflowId(accountId)).signal(accountCapChangedSignal);
    } catch (err) {
      // None runs: no campaign is under a cap to take off.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }

  async createKey(
    accountId: string,
    label?: string,
  ): Promise<{ accountId: string; key: string; prefix: string }> {
    await this.account(accountId);
    const key = await this.accounts.addApiKey(accountId, undefined, label);
    return { accountId, key, prefix: key.slice(0, 10) };
  }

  /** Revokes a key given in full, or the one active key of an account with that prefix. */
  async revokeKey(
    by: { key: string } | { accountId: string; prefix: string },
  ): Promise<{ accountId: string; prefix: string }> {
    if ('key' in by) {
      const owner = await this.accounts.accountForApiKey(by.key);
      if (!owner || !(await this.accounts.revokeApiKey(by.key))) {
        throw new AdminError('That key is unknown or already revoked');
      }
      return { accountId: owner._id, prefix: by.key.slice(0, 10) };
    }
    await this.account(by.accountId);
    const matches = await this.keys
      .find({ accountId: by.accountId, prefix: by.prefix, revokedAt: { $exists: false } })
      .toArray();
    if (matches.length === 0) {
      throw new AdminError(`Account ${by.accountId} has no active key starting ${JSON.stringify(by.prefix)}`);
    }
    if (matches.length > 1) {
      throw new AdminError(
        `Several active keys start ${JSON.stringify(by.prefix)}: revoke with --key instead`,
      );
    }
    await this.keys.updateOne({ _id: (matches[0] as StoredKey)._id }, { $set: { revokedAt: new Date() } });
    return { accountId: by.accountId, prefix: by.prefix };
  }

  async rotateJwtSecret(
    accountId: string,
    secret?: string,
  ): Promise<{ accountId: string; jwtSecret: string }> {
    await this.account(accountId);
    const jwtSecret = secret ?? generateSecret();
    await this.accounts.updateAccount(accountId, { jwtSecret });
    return { accountId, jwtSecret };
  }

  async showAccount(accountId: string, withSecret: boolean): Promise<AccountView & { keys: KeyInfo[] }> {
    const account = await this.account(accountId);
    const keys = await this.keys
      .find({ accountId }, { projection: { _id: 0, prefix: 1, label: 1, createdAt: 1, revokedAt: 1 } })
      .sort({ createdAt: 1 })
      .toArray();
    return {
      ...view(account, withSecret),
      keys: keys.map((k) => ({
        prefix: k.prefix,
        createdAt: k.createdAt,
        ...(k.label && { label: k.label }),
        ...(k.revokedAt && { revokedAt: k.revokedAt }),
      })),
    };
  }

  /** A Kore.ai `auth` JWT for the account: `{appId}` signed HS256 with its secret. */
  async signJwt(
    accountId: string,
    expiresInS: number,
  ): Promise<{ token: string; accountId: string; appId: string; expiresAt: Date }> {
    const account = await this.account(accountId);
    const now = Date.now();
    const token = signJwt({ appId: account.appId }, account.jwtSecret, { expiresInS, now });
    const expiresAt = new Date((Math.floor(now / 1000) + expiresInS) * 1000);
    return { token, accountId, appId: account.appId, expiresAt };
  }
}
