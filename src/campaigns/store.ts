import { createHash } from 'node:crypto';
import {
  MongoBulkWriteError,
  ObjectId,
  type Collection,
  type Db,
  type Filter,
  type OptionalUnlessRequiredId,
  type UpdateFilter,
  type WriteError,
} from 'mongodb';
import type { CampaignCounters } from '../domain/counters';
import { contactWorkflowIdPrefix } from '../domain/ids';
import { idsStartingWith } from '../mongo/id-reads';
import {
  activeCampaignStatuses,
  type CallOutcome,
  type CampaignStatus,
  type ContactStatus,
} from '../domain/status';
import type {
  BatchDoc,
  CallDoc,
  CampaignDoc,
  ContactDoc,
  ContactRef,
  CountsDelta,
  StoredBatchDoc,
} from './model';
import type { PaceDoc } from '../dialers/paced';
import { mapLimit } from '../map-limit';

const DUPLICATE_KEY = 11000;
/** Contacts per updateMany: a batch's worth of ids stays a small command. */
const UPDATE_CHUNK = 200;
/** Names one write of the backfill inserts. */
const NAMES_CHUNK = 1000;
/** The sequence document that records the names of older campaigns as backfilled. */
export const NAMES_BACKFILLED = 'campaign-names-backfilled';

/**
 * Another name of a campaign (its numeric id, or its code within its account), kept as a document
 * keyed by `_id`: FerretDB v1 as released reads through no other index, so a lookup by a campaign
 * field would read every campaign of the database.
 */
interface CampaignNameDoc {
  _id: string;
  campaignId: string;
}

const numericName = (numericId: number) => `numeric:${numericId}`;
const codeName = (accountId: string, code: string) => `code:${accountId}:${code}`;

function campaignNames(c: Pick<CampaignDoc, '_id' | 'numericId' | 'code' | 'accountId'>): CampaignNameDoc[] {
  return [
    { _id: numericName(c.numericId), campaignId: c._id },
    { _id: codeName(c.accountId, c.code), campaignId: c._id },
  ];
}

/** Inserts what is new; returns the ids that already existed. */
async function insertNew<T extends { _id: string }>(
  collection: Collection<T>,
  docs: T[],
): Promise<Set<string>> {
  const existing = new Set<string>();
  if (docs.length === 0) return existing;
  try {
    await collection.insertMany(docs as OptionalUnlessRequiredId<T>[], { ordered: false });
  } catch (err) {
    if (!(err instanceof MongoBulkWriteError)) throw err;
    const writeErrors: WriteError[] = ([] as WriteError[]).concat(err.writeErrors);
    for (const we of writeErrors) {
      if (we.code !== DUPLICATE_KEY) throw err;
      const doc = docs[we.index];
      if (doc) existing.add(doc._id);
    }
  }
  return existing;
}

export function newCampaignId(): string {
  return new ObjectId().toHexString();
}

/** What every contact id of a campaign created now begins with (`CampaignDoc.contactIdPrefix`). */
export function contactIdPrefix(campaignId: string): string {
  return `${campaignId}:`;
}

/** Hex digits of the digest that ends every contact id. */
const CONTACT_DIGEST_LENGTH = 24;

/** What deriving and reading a campaign's contact ids needs of the campaign. */
export type ContactIdsOf = Pick<CampaignDoc, '_id' | 'contactIdPrefix'>;

/** A number appears once per campaign however it was written: its id derives from the E.164 form. */
export function contactIdFor(campaign: ContactIdsOf, e164: string): string {
  const digest = createHash('sha256').update(`${campaign._id}|${e164}`).digest('hex');
  return `${campaign.contactIdPrefix ?? ''}${digest.slice(0, CONTACT_DIGEST_LENGTH)}`;
}

/** Whether `ref` has the shape of one of this campaign's contact ids (not whether it exists). */
export function isContactIdOf(campaign: ContactIdsOf, ref: string): boolean {
  const prefix = campaign.contactIdPrefix ?? '';
  const digest = ref.slice(prefix.length);
  return ref.startsWith(prefix) && digest.length === CONTACT_DIGEST_LENGTH && /^[0-9a-f]+$/.test(digest);
}

/**
 * The filter for a campaign's calls: their `_id`s, the dial keys, begin with its contact workflow
 * ids; `campaignId` keeps out a campaign whose id extends this one's.
 */
export function callsOf(campaignId: string): Filter<CallDoc> {
  return { _id: idsStartingWith(contactWorkflowIdPrefix(campaignId)), campaignId };
}

/** The filter for a campaign's contacts: by their range of `_id` where the campaign has one. */
export function contactsOf(campaign: ContactIdsOf): Filter<ContactDoc> {
  return campaign.contactIdPrefix === undefined
    ? { campaignId: campaign._id }
    : { _id: idsStartingWith(campaign.contactIdPrefix), campaignId: campaign._id };
}

export function batchDocId(campaignId: string, uploadId: string): string {
  return `${campaignId}:${uploadId}`;
}

/** Turns a counts delta into `$inc` paths on the campaign's `counts`. */
function countsInc(delta: CountsDelta): Record<string, number> {
  const inc: Record<string, number> = {};
  if (delta.total) inc['counts.total'] = delta.total;
  for (const [status, n] of Object.entries(delta.contacts ?? {})) {
    if (n) inc[`counts.contacts.${status}`] = n;
  }
  return inc;
}

/** `counters` with a batch's counts added, as `countsInc` adds them in the database. */
export function withDelta(counters: CampaignCounters, delta: CountsDelta): CampaignCounters {
  const next = structuredClone(counters);
  next.total += delta.total ?? 0;
  for (const [status, n] of Object.entries(delta.contacts ?? {})) next.contacts[status as ContactStatus] += n;
  return next;
}

export class CampaignStore {
  readonly campaigns: Collection<CampaignDoc>;
  readonly contacts: Collection<ContactDoc>;
  readonly batches: Collection<StoredBatchDoc>;
  readonly calls: Collection<CallDoc>;
  private readonly names: Collection<CampaignNameDoc>;
  private readonly sequences: Collection<{ _id: string; value: number }>;
  /** Send times handed out to the workers of one dialer (see CallPacer). */
  readonly dialPacing: Collection<PaceDoc>;

  constructor(db: Db) {
    this.campaigns = db.collection<CampaignDoc>('campaigns');
    this.contacts = db.collection<ContactDoc>('contacts');
    this.batches = db.collection<StoredBatchDoc>('contact_batches');
    this.calls = db.collection<CallDoc>('calls');
    this.names = db.collection<CampaignNameDoc>('campaign_names');
    this.sequences = db.collection('counters');
    this.dialPacing = db.collection<PaceDoc>('dial_pacing');
  }

  /**
   * Everywhere, the unique index that guards numeric ids and the one an account's campaigns are
   * listed by (the local FerretDB build reads an equality on a string field through its index, and
   * campaigns are written too seldom for its upkeep to matter); the contacts' and calls' only where
   * the server reads through them (`queryIndexes`), as new campaigns' are read by their `_id`s.
   */
  async ensureIndexes({ queryIndexes }: { queryIndexes: boolean }): Promise<void> {
    await Promise.all([
      this.campaigns.createIndex({ numericId: 1 }, { unique: true }),
      this.campaigns.createIndex({ accountId: 1, createdAt: -1 }),
      ...(queryIndexes
        ? [
            this.contacts.createIndex({ campaignId: 1, seq: 1 }),
            this.contacts.createIndex({ campaignId: 1, status: 1 }),
            this.calls.createIndex({ campaignId: 1, createdAt: 1 }),
            this.calls.createIndex({ campaignId: 1, callId: 1 }),
          ]
        : []),
    ]);
  }

  async nextSequence(name: string): Promise<number> {
    const doc = await this.sequences.findOneAndUpdate(
      { _id: name },
      { $inc: { value: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
    if (!doc) throw new Error(`sequence ${name} did not return a value`);
    return doc.value;
  }

  /* ------------------------------------------------------------ campaigns */

  /**
   * Its names first: a campaign that can be read is always found by each of them, and a name left
   * by a failed insert leads to no campaign, as if it were not there.
   */
  async insertCampaign(doc: CampaignDoc): Promise<void> {
    await this.names.insertMany(campaignNames(doc), { ordered: false });
    await this.campaigns.insertOne(doc);
  }

  /**
   * Writes the names of the campaigns created before names were kept, once per database (a
   * sequence document records that it ran). A name already there is left as it is, so that
   * processes starting together may each run it.
   */
  async backfillNames(): Promise<void> {
    if (await this.sequences.findOne({ _id: NAMES_BACKFILLED })) return;
    const projection = { _id: 1, numericId: 1, code: 1, accountId: 1 } as const;
    let chunk: CampaignNameDoc[] = [];
    for await (const campaign of this.campaigns.find({}, { projection })) {
      chunk.push(...campaignNames(campaign));
      if (chunk.length >= NAMES_CHUNK) {
        await insertNew(this.names, chunk);
        chunk = [];
      }
    }
    await insertNew(this.names, chunk);
    await this.sequences.updateOne({ _id: NAMES_BACKFILLED }, { $set: { value: 1 } }, { upsert: true });
  }

  getCampaign(id: string): Promise<CampaignDoc | null> {
    return this.campaigns.findOne({ _id: id });
  }

  /** Ids of the account's campaigns that have a live workflow. */
  async activeCampaignIds(accountId: string): Promise<string[]> {
    const docs = await this.campaigns
      .find({ accountId, status: { $in: [...activeCampaignStatuses] } }, { projection: { _id: 1 } })
      .toArray();
    return docs.map((d) => d._id);
  }

  /**
   * A campaign of the account, by any of its names: the id, the numeric id (Volt MX) or the code.
   * Another account's campaign is as absent as one that does not exist.
   */
  async findCampaign(accountId: string, ref: string): Promise<CampaignDoc | null> {
    const found = (await this.campaigns.findOne({ _id: ref })) ?? (await this.findByName(accountId, ref));
    return found && found.accountId === accountId && !found.deletedAt ? found : null;
  }

  private async findByName(accountId: string, ref: string): Promise<CampaignDoc | null> {
    const name = /^\d{1,15}$/.test(ref) ? numericName(Number(ref)) : codeName(accountId, ref);
    const named = await this.names.findOne({ _id: name });
    return named && this.campaigns.findOne({ _id: named.campaignId });
  }

  listCampaigns(
    accountId: string,
    opts: { statuses?: CampaignStatus[]; limit: number; offset: number },
  ): Promise<CampaignDoc[]> {
    const filter: Filter<CampaignDoc> = { accountId, deletedAt: { $exists: false } };
    if (opts.statuses?.length) filter.status = { $in: opts.statuses };
    return this.campaigns
      .find(filter, { projection: { batches: 0 } })
      .sort({ createdAt: -1 })
      .skip(opts.offset)
      .limit(opts.limit)
      .toArray();
  }

  /**
   * Moves a campaign from one of `from` to a new status with extra fields, atomically: of many
   * concurrent callers exactly one sees the document back.
   */
  transition(
    id: string,
    from: readonly CampaignStatus[],
    set: Partial<CampaignDoc> & { status: CampaignStatus },
    unset: (keyof CampaignDoc)[] = [],
  ): Promise<CampaignDoc | null> {
    const update: UpdateFilter<CampaignDoc> = { $set: { ...set, updatedAt: new Date() } };
    if (unset.length) update.$unset = Object.fromEntries(unset.map((k) => [k, '']));
    return this.campaigns.findOneAndUpdate({ _id: id, status: { $in: [...from] } }, update, {
      returnDocument: 'after',
    });
  }

  async patchCampaign(id: string, set: Partial<CampaignDoc>): Promise<void> {
    await this.campaigns.updateOne({ _id: id }, { $set: { ...set, updatedAt: new Date() } });
  }

  /**
   * Writes the workflow's final state unless a batch it has not taken was committed meanwhile;
   * false tells the workflow to carry on with the new batch.
   */
  async settleCampaign(
    id: string,
    batchesTaken: number,
    set: Partial<CampaignDoc> & { counts: CampaignCounters },
  ): Promise<boolean> {
    const result = await this.campaigns.updateOne(
      { _id: id, batches: { $size: batchesTaken } },
      { $set: { ...set, batchesTaken, updatedAt: new Date() } },
    );
    return result.matchedCount === 1;
  }

  /* ------------------------------------------------------------ contacts and batches */

  /** Inserts what is new; returns the ids that already existed (duplicates). */
  insertContacts(docs: ContactDoc[]): Promise<Set<string>> {
    return insertNew(this.contacts, docs);
  }

  getContact(id: string): Promise<ContactDoc | null> {
    return this.contacts.findOne({ _id: id });
  }

  /** Fetches contacts one `_id` lookup each: that is what every server indexes. */
  async getContacts(ids: string[]): Promise<(ContactDoc | null)[]> {
    return mapLimit(ids, 16, (id) => this.getContact(id));
  }

  /**
   * Makes an upload part of the campaign: writes the batch, then in one atomic update appends it
   * to the campaign's batches and adds its counts. Until that update the contacts do not count.
   */
  async commitBatch(batch: BatchDoc, latestScheduledAt?: Date): Promise<CampaignDoc> {
    await this.saveBatch(batch);
    const inc = countsInc(batch.delta);
    const update: UpdateFilter<CampaignDoc> = {
      $push: { batches: batch.uploadId },
      $set: { updatedAt: new Date() },
    };
    if (Object.keys(inc).length > 0) update.$inc = inc;
    if (latestScheduledAt) update.$max = { latestScheduledAt };
    const campaign = await this.campaigns.findOneAndUpdate({ _id: batch.campaignId }, update, {
      returnDocument: 'after',
    });
    if (!campaign) throw new Error(`campaign ${batch.campaignId} disappeared while committing a batch`);
    return campaign;
  }

  /** Writes a batch (once: a batch is immutable); it counts once a campaign lists it. */
  async saveBatch(batch: BatchDoc): Promise<void> {
    const { refs, ...rest } = batch;
    const stored: StoredBatchDoc = { ...rest, refsJson: JSON.stringify(refs) };
    await this.batches.updateOne({ _id: batch._id }, { $setOnInsert: stored }, { upsert: true });
  }

  async deleteContacts(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.contacts.deleteMany({ _id: { $in: ids } });
  }

  async getBatch(campaignId: string, uploadId: string): Promise<BatchDoc | null> {
    const stored = await this.batches.findOne({ _id: batchDocId(campaignId, uploadId) });
    if (!stored) return null;
    const { refsJson, refs, ...rest } = stored;
    return { ...rest, refs: refsJson === undefined ? (refs ?? []) : (JSON.parse(refsJson) as ContactRef[]) };
  }

  async updateContact(
    id: string,
    set: Partial<ContactDoc>,
    opts: { inc?: Partial<Record<'attempts', number>>; unset?: (keyof ContactDoc)[] } = {},
  ): Promise<void> {
    const update: UpdateFilter<ContactDoc> = { $set: { ...set, updatedAt: new Date() } };
    if (opts.inc) update.$inc = opts.inc;
    if (opts.unset?.length) update.$unset = Object.fromEntries(opts.unset.map((k) => [k, '']));
    await this.contacts.updateOne({ _id: id }, update);
  }

  /** Sets a contact's status only if it is still in one of `from`; true when it moved. */
  async moveContact(id: string, from: readonly ContactStatus[], set: Partial<ContactDoc>): Promise<boolean> {
    const result = await this.contacts.updateOne(
      { _id: id, status: { $in: [...from] } },
      { $set: { ...set, updatedAt: new Date() } },
    );
    return result.modifiedCount === 1;
  }

  /**
   * Moves those of `ids` whose status is one of `from`; returns how many moved. One updateMany per
   * chunk: single updates sent in parallel queue behind one another on a server with one writer
   * (FerretDB on SQLite took 58 ms each, sixteen at a time), and an activity must heartbeat.
   */
  async updateContacts(
    ids: string[],
    set: Partial<ContactDoc>,
    from: readonly ContactStatus[],
    afterChunk: (done: number) => void = () => undefined,
  ): Promise<number> {
    let moved = 0;
    for (let i = 0; i < ids.length; i += UPDATE_CHUNK) {
      const chunk = ids.slice(i, i + UPDATE_CHUNK);
      const result = await this.contacts.updateMany(
        { _id: { $in: chunk }, status: { $in: [...from] } },
        { $set: { ...set, updatedAt: new Date() } },
      );
      moved += result.modifiedCount;
      afterChunk(i + chunk.length);
    }
    return moved;
  }

  listContacts(
    campaign: ContactIdsOf,
    opts: { statuses?: ContactStatus[]; limit: number; offset: number },
  ): Promise<ContactDoc[]> {
    const filter = contactsOf(campaign);
    if (opts.statuses?.length) filter.status = { $in: opts.statuses };
    return this.contacts.find(filter).sort({ seq: 1 }).skip(opts.offset).limit(opts.limit).toArray();
  }

  /** Contacts by status, counting only committed uploads: the record the workflow's counters must match. */
  async countContacts(
    campaign: ContactIdsOf & Pick<CampaignDoc, 'batches'>,
  ): Promise<Record<string, number>> {
    const committed = new Set(campaign.batches);
    const rows = await this.contacts
      .aggregate<{ _id: { status: ContactStatus; uploadId: string }; n: number }>([
        { $match: contactsOf(campaign) },
        { $group: { _id: { status: '$status', uploadId: '$uploadId' }, n: { $sum: 1 } } },
      ])
      .toArray();
    const counts: Record<string, number> = {};
    for (const row of rows) {
      if (!committed.has(row._id.uploadId)) continue;
      counts[row._id.status] = (counts[row._id.status] ?? 0) + row.n;
    }
    return counts;
  }

  /* ------------------------------------------------------------ calls */

  /** Records an attempt before the provider hears of it; a retried dial finds its own record. */
  async beginCall(doc: CallDoc): Promise<CallDoc> {
    const stored = await this.calls.findOneAndUpdate(
      { _id: doc._id },
      { $setOnInsert: doc },
      { upsert: true, returnDocument: 'after' },
    );
    if (!stored) throw new Error(`call ${doc._id} vanished right after its upsert`);
    return stored;
  }

  getCall(key: string): Promise<CallDoc | null> {
    return this.calls.findOne({ _id: key });
  }

  async updateCall(key: string, set: Partial<CallDoc>): Promise<void> {
    await this.calls.updateOne({ _id: key }, { $set: set });
  }

  /**
   * Ends a call record still `placing` as not placed: its attempt's dial came back unsent and its
   * contact ended before dialling it again. A record that has gone further is left as it is.
   */
  async abandonCall(key: string, reason: string, endedAt: Date): Promise<void> {
    await this.calls.updateOne(
      { _id: key, status: 'placing', callId: { $exists: false } },
      { $set: { status: 'not_placed', reason, endedAt } },
    );
  }

  listCalls(
    campaignId: string,
    opts: { limit: number; offset: number; outcomes?: CallOutcome[] },
  ): Promise<CallDoc[]> {
    const filter = callsOf(campaignId);
    if (opts.outcomes?.length) filter.outcome = { $in: opts.outcomes };
    return this.calls.find(filter).sort({ createdAt: 1 }).skip(opts.offset).limit(opts.limit).toArray();
  }

  /** Calls by outcome, and how many reached the provider: the record the workflow's call counters must match. */
  async countCalls(campaignId: string): Promise<{ placed: number; outcomes: Record<string, number> }> {
    const rows = await this.calls
      .aggregate<{ _id: { outcome?: CallOutcome; status: CallDoc['status'] }; n: number }>([
        { $match: callsOf(campaignId) },
        { $group: { _id: { outcome: '$outcome', status: '$status' }, n: { $sum: 1 } } },
      ])
      .toArray();
    const outcomes: Record<string, number> = {};
    let placed = 0;
    for (const row of rows) {
      if (row._id.status !== 'not_placed' && row._id.status !== 'placing') placed += row.n;
      if (row._id.outcome) outcomes[row._id.outcome] = (outcomes[row._id.outcome] ?? 0) + row.n;
    }
    return { placed, outcomes };
  }
}
