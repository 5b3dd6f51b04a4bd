import { stringify } from 'csv-stringify/sync';
import { callOutcomes, isFinalContactStatus, type CallOutcome } from '../domain/status';
import type { CallDoc, CampaignDoc, ContactDoc } from './model';
import { mapLimit } from '../map-limit';
import { MAX_IDS_PER_READ } from '../mongo/id-reads';
import { callsOf, contactsOf, type CampaignStore, type ContactIdsOf } from './store';

/**
 * Reports built on the record: call statistics, per-call history rows and their CSV export.
 *
 * FerretDB, our local MongoDB-wire server, uses no index but `_id`, so every filter on another
 * field scans a collection: a campaign's calls and contacts are read by their range of `_id`
 * (`callsOf`, `contactsOf`), and each function here reads each collection at most once per
 * campaign, and never once per row.
 */

/** Where one call attempt stands: its outcome once it has one, else how far it got. */
export type CallRowStatus = CallOutcome | 'queued' | 'initiated' | 'in_progress';
export const callRowStatuses: readonly CallRowStatus[] = [
  ...callOutcomes,
  'queued',
  'initiated',
  'in_progress',
];

/** One call attempt with the contact it was made to. */
export interface CallRow {
  /** The provider's call id; our attempt key for an attempt that never reached the provider. */
  callId: string;
  /** Our idempotency key of the attempt. */
  attemptKey: string;
  campaignId: string;
  contactId: string;
  attempt: number;
  phone: string;
  status: CallRowStatus;
  durationS: number;
  /** When the call was placed (when the attempt began, if it never was). */
  callTime: Date;
  endedAt?: Date;
  /** Why an attempt ended without a provider outcome (timeout, provider_rejected...). */
  reason?: string;
  name?: string;
  email?: string;
  customData?: Record<string, unknown>;
}

/** What the calls of one campaign add up to. */
export interface CallStats {
  /** Attempts recorded, placed or not. */
  attempts: number;
  /** Attempts beyond each contact's first (automatic and manual redials). */
  redialAttempts: number;
  answered: number;
  /** Talk time of all calls, in seconds. */
  totalDurationS: number;
  /** Mean talk time of answered calls, whole seconds (0 before any). */
  averageDurationS: number;
}

export function emptyCallStats(): CallStats {
  return { attempts: 0, redialAttempts: 0, answered: 0, totalDurationS: 0, averageDurationS: 0 };
}

/** Contacts of a campaign that will be called at a scheduled time, and those called as soon as possible. */
export interface ScheduleSplit {
  scheduled: number;
  immediate: number;
}

type CallFields = Pick<
  CallDoc,
  | '_id'
  | 'callId'
  | 'campaignId'
  | 'contactId'
  | 'attempt'
  | 'phone'
  | 'status'
  | 'outcome'
  | 'reason'
  | 'durationS'
  | 'createdAt'
  | 'placedAt'
  | 'endedAt'
>;
type ContactFields = Pick<ContactDoc, '_id' | 'name' | 'email' | 'customData'>;

/** Campaigns whose calls `callStats` reads at once. */
const CAMPAIGNS_AT_ONCE = 8;

export class CampaignReports {
  constructor(private readonly store: CampaignStore) {}

  /** Call statistics of each campaign named, from its calls alone (a read by `_id` range each). */
  async callStats(campaignIds: string[]): Promise<Map<string, CallStats>> {
    const unique = [...new Set(campaignIds)];
    const stats = await mapLimit(unique, CAMPAIGNS_AT_ONCE, (id) => this.campaignCallStats(id));
    return new Map(unique.map((id, i) => [id, stats[i] as CallStats]));
  }

  /**
   * One page of a campaign's call attempts, oldest first, optionally only those in `statuses`;
   * `total` counts every matching attempt. One read of its calls, one lookup of the page's contacts.
   */
  async history(
    campaign: ContactIdsOf,
    opts: { statuses?: readonly CallRowStatus[]; limit: number; offset: number },
  ): Promise<{ total: number; rows: CallRow[] }> {
    let calls = (await this.campaignCalls(campaign._id)).map(toRow);
    if (opts.statuses?.length) {
      const wanted = new Set(opts.statuses);
      calls = calls.filter((row) => wanted.has(row.status));
    }
    const rows = calls.slice(opts.offset, opts.offset + opts.limit);
    await this.attachContacts(campaign, rows);
    return { total: calls.length, rows };
  }

  /** Every call attempt of a campaign with its contact, oldest first. */
  async allCalls(campaign: ContactIdsOf): Promise<CallRow[]> {
    const rows = (await this.campaignCalls(campaign._id)).map(toRow);
    await this.attachContacts(campaign, rows);
    return rows;
  }

  /**
   * Of the contacts still to be called, how many wait for a scheduled time still ahead and how many
   * are called as soon as their calling window allows. One read of the campaign's contacts.
   */
  async scheduleSplit(
    campaign: ContactIdsOf & Pick<CampaignDoc, 'batches'>,
    now = new Date(),
  ): Promise<ScheduleSplit> {
    const committed = new Set(campaign.batches);
    const split: ScheduleSplit = { scheduled: 0, immediate: 0 };
    const cursor = this.store.contacts.find(contactsOf(campaign), {
      projection: { uploadId: 1, status: 1, scheduledAt: 1 },
    });
    for await (const contact of cursor) {
      if (!committed.has(contact.uploadId) || isFinalContactStatus(contact.status)) continue;
      if (contact.scheduledAt && contact.scheduledAt > now) split.scheduled += 1;
      else split.immediate += 1;
    }
    return split;
  }

  private async campaignCallStats(campaignId: string): Promise<CallStats> {
    const s = emptyCallStats();
    const cursor = this.store.calls.find(callsOf(campaignId), {
      projection: { attempt: 1, outcome: 1, durationS: 1 },
    });
    for await (const call of cursor) {
      s.attempts += 1;
      if (call.attempt > 1) s.redialAttempts += 1;
      if (call.outcome === 'answered') s.answered += 1;
      s.totalDurationS += call.durationS ?? 0;
    }
    s.averageDurationS = s.answered > 0 ? Math.round(s.totalDurationS / s.answered) : 0;
    return s;
  }

  private async campaignCalls(campaignId: string): Promise<CallFields[]> {
    const calls = await this.store.calls
      .find(callsOf(campaignId), {
        projection: {
          callId: 1,
          campaignId: 1,
          contactId: 1,
          attempt: 1,
          phone: 1,
          status: 1,
          outcome: 1,
          reason: 1,
          durationS: 1,
          createdAt: 1,
          placedAt: 1,
          endedAt: 1,
        },
      })
      .toArray();
    // Sorted here: a server sort without an index would be the same work, only further away.
    return calls.sort(
      (a, b) =>
        a.createdAt.getTime() - b.createdAt.getTime() || a.attempt - b.attempt || a._id.localeCompare(b._id),
    );
  }

  private async attachContacts(campaign: ContactIdsOf, rows: CallRow[]): Promise<void> {
    if (rows.length === 0) return;
    const ids = [...new Set(rows.map((r) => r.contactId))];
    const projection = { name: 1, email: 1, customData: 1 };
    // A longer list would be scanned: the campaign's own contacts are the smaller read then.
    const contacts = await this.store.contacts
      .find<ContactFields>(ids.length <= MAX_IDS_PER_READ ? { _id: { $in: ids } } : contactsOf(campaign), {
        projection,
      })
      .toArray();
    const byId = new Map(contacts.map((c) => [c._id, c]));
    for (const row of rows) {
      const contact = byId.get(row.contactId);
      if (!contact) continue;
      if (contact.name !== undefined) row.name = contact.name;
      if (contact.email !== undefined) row.email = contact.email;
      if (contact.customData !== undefined) row.customData = contact.customData;
    }
  }
}

function toRow(call: CallFields): CallRow {
  return {
    callId: call.callId ?? call._id,
    attemptKey: call._id,
    campaignId: call.campaignId,
    contactId: call.contactId,
    attempt: call.attempt,
    phone: call.phone,
    status: rowStatus(call),
    durationS: call.durationS ?? 0,
    callTime: call.placedAt ?? call.createdAt,
    ...(call.endedAt && { endedAt: call.endedAt }),
    ...(call.reason && { reason: call.reason }),
  };
}

function rowStatus(call: Pick<CallDoc, 'status' | 'outcome'>): CallRowStatus {
  if (call.outcome) return call.outcome;
  switch (call.status) {
    case 'placing':
      return 'queued';
    case 'placed':
      return 'initiated';
    case 'in_progress':
      return 'in_progress';
    default:
      return 'failed';
  }
}

/** ISO 8601 to the second, as the VoiceGenie pages write times: 2024-01-16T14:00:00Z. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The columns every export has, in order; custom data keys follow as columns of their own. */
export const CALL_CSV_COLUMNS = [
  'call_id',
  'campaign_id',
  'contact_id',
  'contact_name',
  'phone_number',
  'email',
  'status',
  'attempt',
  'duration',
  'call_time',
  'ended_at',
  'end_reason',
] as const;

/**
 * The call rows as CSV: a header row, then one line per attempt. Each key of the contacts'
 * custom data becomes a column (named `custom_data.<key>` when it would clash with a column above),
 * so an export reads back as an upload.
 */
export function callsCsv(rows: CallRow[]): string {
  const customKeys: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row.customData ?? {})) {
      if (!seen.has(key)) {
        seen.add(key);
        customKeys.push(key);
      }
    }
  }
  const fixed = new Set<string>(CALL_CSV_COLUMNS);
  const customColumns = customKeys.map((key) => (fixed.has(key) ? `custom_data.${key}` : key));
  const header = [...CALL_CSV_COLUMNS, ...customColumns];
  const records = rows.map((row) => [
    row.callId,
    row.campaignId,
    row.contactId,
    row.name ?? '',
    row.phone,
    row.email ?? '',
    row.status,
    String(row.attempt),
    String(row.durationS),
    isoSeconds(row.callTime),
    row.endedAt ? isoSeconds(row.endedAt) : '',
    row.reason ?? '',
    ...customKeys.map((key) => cell(row.customData?.[key])),
  ]);
  return stringify([header, ...records]);
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
