import type { Collection, Db, Filter } from 'mongodb';
import { mapLimit } from '../map-limit';
import { idsStartingWith, MAX_IDS_PER_READ } from '../mongo/id-reads';

/** Where a number came to be on the list. */
export type DncSource = 'api' | 'csv' | 'opt_out';

export interface DncEntry {
  /** `${accountId}|${campaignId or *}|${phone}`: one lookup by id answers "may we dial this?". */
  _id: string;
  accountId: string;
  /** Null for the account-wide list. */
  campaignId: string | null;
  phone: string;
  reason?: string;
  source: DncSource;
  createdAt: Date;
}

const ACCOUNT_WIDE = '*';
/** Reads of one check under way at once. */
const READS_AT_ONCE = 4;

function entryId(accountId: string, campaignId: string | null, phone: string): string {
  return `${listPrefix(accountId, campaignId)}${phone}`;
}

/** What the ids of one list's entries begin with. */
function listPrefix(accountId: string, campaignId: string | null): string {
  return `${accountId}|${campaignId ?? ACCOUNT_WIDE}|`;
}

/** The order of a list's page, and the index that reads it in that order. */
const LIST_ORDER = { createdAt: -1, _id: 1 } as const;
const LIST_ORDER_INDEX = { accountId: 1, campaignId: 1, ...LIST_ORDER } as const;
/**
 * Indexes of earlier releases that no read uses any more, dropped so that writes to the list stop
 * paying their upkeep: the one by number served the dial's check before it read by `_id`.
 */
const SUPERSEDED_INDEXES = ['accountId_1_campaignId_1_phone_1'];
/** What the server answers to dropping an index, or from a collection, that is not there. */
const NOT_THERE = new Set([26 /* NamespaceNotFound */, 27 /* IndexNotFound */]);

/** Do-not-call lists: one per account, and one per campaign on top of it. Numbers are E.164. */
export class DncStore {
  private readonly entries: Collection<DncEntry>;

  constructor(db: Db) {
    this.entries = db.collection<DncEntry>('dnc');
  }

  /**
   * A list's page in its order, newest first, only where the server reads through secondary
   * indexes (`queryIndexes`); every other read is by `_id`. Indexes of earlier releases go.
   */
  async ensureIndexes({ queryIndexes }: { queryIndexes: boolean }): Promise<void> {
    for (const name of SUPERSEDED_INDEXES) {
      await this.entries.dropIndex(name).catch((err: { code?: number }) => {
        if (!NOT_THERE.has(err.code ?? 0)) throw err;
      });
    }
    if (queryIndexes) await this.entries.createIndex(LIST_ORDER_INDEX);
  }

  /** Adds numbers (already on the list: left as they are); returns how many were new. */
  async add(
    accountId: string,
    phones: string[],
    opts: { campaignId?: string | null; reason?: string; source: DncSource },
  ): Promise<number> {
    const campaignId = opts.campaignId ?? null;
    const createdAt = new Date();
    const unique = [...new Set(phones)];
    if (unique.length === 0) return 0;
    const result = await this.entries.bulkWrite(
      unique.map((phone) => {
        const entry: DncEntry = {
          _id: entryId(accountId, campaignId, phone),
          accountId,
          campaignId,
          phone,
          source: opts.source,
          createdAt,
          ...(opts.reason && { reason: opts.reason }),
        };
        return { updateOne: { filter: { _id: entry._id }, update: { $setOnInsert: entry }, upsert: true } };
      }),
      { ordered: false },
    );
    return result.upsertedCount;
  }

  async remove(accountId: string, phone: string, campaignId: string | null = null): Promise<boolean> {
    const result = await this.entries.deleteOne({ _id: entryId(accountId, campaignId, phone) });
    return result.deletedCount === 1;
  }

  list(
    accountId: string,
    opts: { campaignId?: string | null; limit: number; offset: number },
  ): Promise<DncEntry[]> {
    const campaignId = opts.campaignId ?? null;
    const filter: Filter<DncEntry> = {
      _id: idsStartingWith(listPrefix(accountId, campaignId)),
      accountId,
      campaignId,
    };
    return this.entries.find(filter).sort(LIST_ORDER).skip(opts.offset).limit(opts.limit).toArray();
  }

  /** True when the number is on the account's list or on the campaign's. */
  async isBlocked(accountId: string, campaignId: string, phone: string): Promise<boolean> {
    // One read of both entries, by their ids: every dial asks this, so it is one query, not two.
    const ids = [entryId(accountId, null, phone), entryId(accountId, campaignId, phone)];
    const hit = await this.entries.findOne({ _id: { $in: ids } }, { projection: { _id: 1 } });
    return hit !== null;
  }

  /**
   * Of these numbers, those on the account's list or the campaign's, for checking a whole upload
   * at once. Read by their entries' ids, so that a check costs what its own numbers do, however
   * long the lists grow (accounts bring lists of hundreds of thousands of numbers).
   */
  async blockedAmong(accountId: string, campaignId: string, phones: Iterable<string>): Promise<Set<string>> {
    const ids = [...new Set(phones)].flatMap((phone) => [
      entryId(accountId, null, phone),
      entryId(accountId, campaignId, phone),
    ]);
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += MAX_IDS_PER_READ) chunks.push(ids.slice(i, i + MAX_IDS_PER_READ));
    const found = await mapLimit(chunks, READS_AT_ONCE, (chunk) =>
      this.entries.find({ _id: { $in: chunk } }, { projection: { phone: 1 } }).toArray(),
    );
    return new Set(found.flat().map((d) => d.phone));
  }
}
