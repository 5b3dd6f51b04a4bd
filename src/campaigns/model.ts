import type { CallingHours } from '../domain/calling-window';
import type { CampaignCounters } from '../domain/counters';
import type { RedialConfig } from '../domain/redial';
import type { CallOutcome, CampaignStatus, ContactStatus } from '../domain/status';

/**
 * What MongoDB keeps. Every hot-path read and write goes by `_id` (FerretDB, our local server,
 * uses no other index), so the campaign document carries its counts and the list of committed
 * upload batches, and contact ids are derived from (campaign, phone).
 */
export interface CampaignDoc {
  /** 24 hex digits, like a MongoDB ObjectId (the VoiceGenie pages show ObjectIds). */
  _id: string;
  /** Volt MX addresses campaigns by a long. */
  numericId: number;
  /** Human-readable code, e.g. CAMP-2026-001 (VoiceGenie's `campaignId` field). */
  code: string;
  accountId: string;
  name: string;
  /** The voice agent / script the dialer runs; VoiceGenie's `agentId`, its start page's `script_id`. */
  agentId?: string;
  description?: string;
  status: CampaignStatus;
  isScheduledCall: boolean;
  isContextBasedCall: boolean;
  redialConfig: RedialConfig;
  maxConcurrentCalls: number;
  callingHours?: CallingHours;
  fromNumber?: string;
  /**
   * Counts of contacts by status and of calls by outcome. Uploads and redials add to them; the
   * campaign workflow keeps them live while it runs and writes them back when it ends.
   */
  counts: CampaignCounters;
  /** Latest scheduled time among the contacts, for the completion estimate. */
  latestScheduledAt?: Date;
  /** Upload ids of committed batches, in commit order: the order the campaign dials in. */
  batches: string[];
  /** How many batches the workflow runs so far have taken (started contacts from). */
  batchesTaken: number;
  /**
   * What every contact id of this campaign begins with (the store's `contactIdPrefix`), so that its contacts
   * are one range of `_id`. Campaigns created before contact ids held it have none: their contacts
   * keep their ids, and are read by `campaignId`.
   */
  contactIdPrefix?: string;
  createdAt: Date;
  updatedAt: Date;
  startedAt?: Date;
  pausedAt?: Date;
  completedAt?: Date;
  cancelledAt?: Date;
  /** One id per start of the campaign workflow (Kore.ai's `campaignInstanceId`). */
  instanceId?: string;
  deletedAt?: Date;
}

/** The little a campaign workflow needs to start a contact's workflow. */
export interface ContactRef {
  contactId: string;
  phone: string;
  /** Goes to the provider with every call; the rest of the contact's data only for context-based calls. */
  name?: string;
  /** Epoch ms. */
  scheduledAt?: number;
  timezones: string[];
  /** Attempts already made (non-zero for redials). */
  attempts: number;
  /** Attempt budget when it differs from the campaign's. */
  maxAttempts?: number;
  /** A manual redial: the contact's earlier workflow has finished and a new run takes its id. */
  redial?: boolean;
}

/** Counter changes a committed batch brings, applied by the workflow when it takes the batch. */
export interface CountsDelta {
  total?: number;
  contacts?: Partial<Record<ContactStatus, number>>;
}

/** An upload (or a redial) the campaign dials in one go; immutable once written. */
export interface BatchDoc {
  /** `${campaignId}:${uploadId}` */
  _id: string;
  campaignId: string;
  uploadId: string;
  kind: 'upload' | 'redial';
  refs: ContactRef[];
  delta: CountsDelta;
  createdAt: Date;
}

/**
 * A batch as written: the refs as one JSON text. A batch is only ever read whole, and a database
 * stores one long string far faster than a thousand small documents (on FerretDB over SQLite,
 * 21 ms against 98 ms for 1,000 refs), which a start of 1,000 contacts waits for. Batches written
 * before carry `refs` as an array, and are read as they are.
 */
export type StoredBatchDoc = Omit<BatchDoc, 'refs'> & { refsJson?: string; refs?: ContactRef[] };

export interface ContactDoc {
  /** Derived from (campaign, phone): a number appears once per campaign however it was written. */
  _id: string;
  /** Its account is the campaign's: a contact is only ever reached through its campaign. */
  campaignId: string;
  /** The upload that brought it; the contact counts once that upload is in the campaign's batches. */
  uploadId: string;
  /** Position in the campaign's upload order. */
  seq: number;
  /** E.164. */
  phone: string;
  /** The number as the upload wrote it, kept only when it differs from `phone`. */
  rawPhone?: string;
  name?: string;
  email?: string;
  customData?: Record<string, unknown>;
  scheduledAt?: Date;
  /**
   * The contact's own `timezone` as the upload named it, kept only then: without it the zones are
   * the number's (`contactTimezones`), which need not be stored: an insert costs by the field, and
   * this array was 15 of FerretDB's 81 ms for 1,000 new contacts. Contacts written before carry
   * the derived zones too, and are read as they are.
   */
  timezones?: string[];
  status: ContactStatus;
  /** Dials made so far; absent until the first, as it was 0 (one field fewer in every insert). */
  attempts?: number;
  maxAttempts?: number;
  lastOutcome?: CallOutcome;
  lastCallId?: string;
  nextAttemptAt?: Date;
  redialBatchId?: string;
  /** Why the contact ended without a final call outcome (do-not-call, cancelled, no calling window...). */
  endReason?: string;
  createdAt: Date;
  /** Set by the first change; a contact without it is as it was created. */
  updatedAt?: Date;
  finishedAt?: Date;
}

export type CallRecordStatus = 'placing' | 'placed' | 'in_progress' | 'ended' | 'not_placed';

/** One dial attempt. Its id is the attempt's idempotency key. */
export interface CallDoc {
  _id: string;
  callId?: string;
  campaignId: string;
  contactId: string;
  accountId: string;
  attempt: number;
  phone: string;
  status: CallRecordStatus;
  outcome?: CallOutcome;
  /** Why an attempt ended without a provider outcome (timeout, provider_rejected, dnc...). */
  reason?: string;
  durationS?: number;
  optOut?: boolean;
  createdAt: Date;
  placedAt?: Date;
  answeredAt?: Date;
  endedAt?: Date;
}
