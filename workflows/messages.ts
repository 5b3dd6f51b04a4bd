import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { LineHolder, LinesReport } from '../src/domain/account-lines';
import type { CallingHours } from '../src/domain/calling-window';
import type { CampaignCounters } from '../src/domain/counters';
import type { RedialConfig } from '../src/domain/redial';
import type { CallOutcome, ContactStatus } from '../src/domain/status';

/**
 * Every message that crosses a workflow boundary, with its payload type: the API, the webhook,
 * the activities and the workflows all import them from here.
 */

/** How every contact of a campaign is dialed; frozen when the campaign workflow run starts. */
export interface ContactPolicy {
  redial: RedialConfig;
  /** Undefined means the default window (08:00–21:00 in the contact's zones). */
  callingHours?: CallingHours;
  isScheduledCall: boolean;
  isContextBasedCall: boolean;
  /** Seconds to wait for a call's outcome after the provider took it. */
  outcomeTimeoutS: number;
  /** Task queue of the dial activity (rate-limited per dialer). */
  dialTaskQueue: string;
  /**
   * Dial in a local activity, on the worker that runs the contact: no task-queue round trip. Only
   * where no calls-per-second cap applies, since the cap is enforced on the dial task queue.
   */
  dialLocally?: boolean;
}

/** What the campaign workflow reads from MongoDB when a run starts afresh. */
export interface CampaignPlan {
  accountId: string;
  maxConcurrentCalls: number;
  policy: ContactPolicy;
  paused: boolean;
  counts: CampaignCounters;
  /** Batches committed when the plan was read; their counts are already in `counts`. */
  batchesCommitted: number;
  /** Batches earlier runs started every contact of. */
  batchesTaken: number;
  startedAt: number;
  /** Latest scheduled time among the campaign's contacts (epoch ms), for the completion estimate. */
  latestScheduledAt?: number;
  /** History events per run before continuing as new; plans carried from older runs lack it. */
  historyLimit?: number;
  /** The account had a cap on live calls across its campaigns when the campaign started. */
  accountCapped?: boolean;
}

export type CampaignRunStatus = 'running' | 'paused' | 'cancelling' | 'completed' | 'cancelled';

/** The answer to the `status` query and to the pause / resume / cancel updates. */
export interface CampaignSnapshot {
  campaignId: string;
  status: CampaignRunStatus;
  startedAt: number;
  pausedAt?: number;
  counters: CampaignCounters;
  /** Calls holding a dial permit right now. */
  liveCalls: number;
  maxConcurrentCalls: number;
  /** Under an account-wide cap: the lines of it this campaign holds now (its share). */
  accountLines?: number;
  /** Contacts whose workflow runs and has not finished (sleeping ones included). */
  openContacts: number;
  estimatedCompletionAt: number;
  /** Workflow history length of the current run: operators watch it stay small. */
  historyLength: number;
}

/** A contact workflow's state change that the campaign counts; also how permits are asked for and given back. */
export interface ContactTransition {
  contactId: string;
  from: ContactStatus;
  to: ContactStatus;
  /** Set when an attempt ended: its outcome, and whether a call reached the provider. */
  outcome?: CallOutcome;
  placed?: boolean;
}

export type PermitAnswer = { granted: true } | { granted: false; retryAfterMs: number };

/** A call-status callback, as the webhook forwards it. */
export interface CallEvent {
  attempt: number;
  callId: string;
  event: 'in_progress' | 'completed';
  outcome?: CallOutcome;
  durationS?: number;
  optOut?: boolean;
}

export interface ContactState {
  contactId: string;
  status: ContactStatus;
  attempts: number;
  lastOutcome?: CallOutcome;
  /** Epoch ms of the next dial, while sleeping. */
  nextDialAt?: number;
}

export const statusQuery = defineQuery<CampaignSnapshot>('status');
export const pauseUpdate = defineUpdate<CampaignSnapshot>('pause');
export const resumeUpdate = defineUpdate<CampaignSnapshot>('resume');
export const cancelUpdate = defineUpdate<CampaignSnapshot>('cancel');
/** New batches were committed (an upload or a redial): take them. */
export const batchesAddedSignal = defineSignal('batchesAdded');
export const contactTransitionSignal = defineSignal<[ContactTransition]>('contactTransition');

export const permitSignal = defineSignal<[PermitAnswer]>('permit');
/**
 * The campaign run that awaits this contact's result is about to continue as new: report the end
 * by signal instead, so that the next run learns it.
 */
export const reportEndBySignal = defineSignal('reportEndBySignal');
/** A campaign's lines under its account's cap; a grant with a `seq` not above the last one applied is stale. */
export interface LinesGrant {
  lines: number;
  seq: number;
}

/** The account-wide cap as its workflow shares it out: the answer to its `lines` query. */
export interface AccountLinesSnapshot {
  accountId: string;
  cap: number;
  /** Calls live across the account's campaigns, as they last reported. */
  inUse: number;
  holders: LineHolder[];
}

/** To an account's lines workflow: a campaign's want and use (sent with signal-with-start). */
export const linesWantedSignal = defineSignal<[LinesReport]>('linesWanted');
/**
 * To an account's lines workflow, from `set-account-cap` (with signal-with-start while the cap is
 * set): read the cap now rather than within the minute, and bring every running campaign under it.
 */
export const accountCapChangedSignal = defineSignal('accountCapChanged');
/**
 * To a campaign: its account has a cap; report your lines to the account now. One started while
 * its account had none joins the cap from here on, and dials only within what it is granted. Sent
 * by the account's lines workflow on a fresh run and when an operator changes the cap.
 */
export const accountCapSetSignal = defineSignal('accountCapSet');
/** To a campaign: the lines of its account's cap it may use from now. */
export const linesGrantedSignal = defineSignal<[LinesGrant]>('linesGranted');
export const accountLinesQuery = defineQuery<AccountLinesSnapshot>('lines');
export const callEventSignal = defineSignal<[CallEvent]>('callEvent');
export const contactStateQuery = defineQuery<ContactState>('contactState');
