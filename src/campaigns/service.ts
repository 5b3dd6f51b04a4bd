import { randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import type { CountryCode } from 'libphonenumber-js';
import { emptyCounters, type CampaignCounters } from '../domain/counters';
import { campaignWorkflowId, contactWorkflowId } from '../domain/ids';
import { defaultRedialConfig, type RedialConfig } from '../domain/redial';
import { AccountIdKey, CampaignIdKey } from '../domain/search-attributes';
import {
  isFinalContactStatus,
  type CallOutcome,
  type CampaignStatus,
  type ContactStatus,
} from '../domain/status';
import type { DncStore } from '../dnc/store';
import { normalizePhone } from '../phones/normalize';
import { timezonesForNumber } from '../phones/timezones';
import type { Logger } from '../log';
import { campaignWorkflow } from '../../workflows/campaign';
import {
  batchesAddedSignal,
  cancelUpdate,
  contactStateQuery,
  pauseUpdate,
  resumeUpdate,
  statusQuery,
  type CampaignSnapshot,
} from '../../workflows/messages';
import { contactProblems, contactTimezones, parseScheduledTime } from './contact-rules';
import { CampaignError, invalid, notFound } from './errors';
import { LatestAnswers } from './latest-answers';
import type { BatchDoc, CampaignDoc, ContactDoc, ContactRef } from './model';
import {
  campaignSettingsSchema,
  type CampaignSettings,
  type CampaignSettingsInput,
  type ContactInput,
} from './schemas';
import {
  batchDocId,
  callsOf,
  contactIdFor,
  contactIdPrefix,
  contactsOf,
  newCampaignId,
  withDelta,
  type CampaignStore,
  type ContactIdsOf,
} from './store';

export interface ServiceDeps {
  store: CampaignStore;
  dnc: DncStore;
  temporal: Client;
  taskQueue: string;
  defaultRegion: CountryCode;
  log: Logger;
  /** How long a status answer may wait for the running workflow before MongoDB answers instead. */
  queryTimeoutMs?: number;
}

export interface UploadOptions {
  /** Refuse the whole request when a scheduled call lacks a valid future time (else: per-contact errors). */
  strictSchedule?: boolean;
}

/** A contact the upload could not take, and why. */
export interface RejectedContact {
  index: number;
  phone_number?: string;
  field: string;
  message: string;
}

/** An upload read and checked, nothing of it written yet. */
interface ReadUpload {
  /** When the upload was read: its contacts' and its batch's creation time. */
  now: number;
  uploadId: string;
  docs: ContactDoc[];
  /** Each contact's calling zones by id: its document keeps them only when they are its own. */
  timezones: Map<string, string[]>;
  rejected: RejectedContact[];
  /** Contacts dropped as repeats of an earlier one in the same upload. */
  duplicates: number;
}

export interface UploadResult {
  campaign: CampaignDoc;
  uploaded: number;
  duplicates: number;
  skippedDnc: number;
  rejected: RejectedContact[];
  scheduled: number;
  immediate: number;
}

/** Which finished calls to dial again: named calls, or every contact matching criteria. */
export type RedialSelection =
  | { callIds: string[] }
  | { criteria: { outcomes: CallOutcome[]; maxPreviousAttempts?: number; excludeDnc: boolean } };

export type RedialExclusion = 'not_found' | 'not_finished' | 'dnc' | 'max_attempts_reached' | 'not_dialed';

export interface RedialResult {
  campaign: CampaignDoc;
  redialBatchId: string;
  /** Contacts the selection named or matched. */
  considered: number;
  scheduled: number;
  excluded: Partial<Record<RedialExclusion, number>>;
}

/** Live state while the workflow runs; the record in MongoDB afterwards. */
export interface CampaignStatusView {
  campaign: CampaignDoc;
  counters: CampaignCounters;
  liveCalls: number;
  /** Under the account's cap on live calls: the lines of it the campaign holds now. */
  accountLines?: number;
  pausedAt?: Date;
  estimatedCompletionAt?: Date;
  source: 'workflow' | 'record';
  /** The figures held at this moment or later: when the workflow was asked, or the record read. */
  asOf: Date;
}

const STARTABLE: CampaignStatus[] = ['draft', 'scheduled'];

function parseSettings(input: CampaignSettingsInput): CampaignSettings {
  const parsed = campaignSettingsSchema.safeParse(input);
  if (!parsed.success) {
    throw invalid(
      'Invalid campaign settings',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

/** Refuses to start a campaign that runs already, has ended, or lacks an agent or contacts. */
function assertStartable(campaign: CampaignDoc): void {
  if (ACTIVE.includes(campaign.status)) throw alreadyRunning(campaign);
  if (!STARTABLE.includes(campaign.status)) {
    throw new CampaignError(
      'INVALID_CAMPAIGN_STATE',
      `Campaign is ${campaign.status} and cannot be started again`,
      {
        current_status: campaign.status,
      },
    );
  }
  assertComplete(campaign.agentId, campaign.counts.total);
}

/** Refuses to start a campaign without an agent or without contacts. */
function assertComplete(agentId: string | undefined, contacts: number): void {
  const missing: string[] = [];
  if (!agentId) missing.push('script_id');
  if (contacts === 0) missing.push('contacts');
  if (missing.length > 0) {
    throw new CampaignError(
      'INVALID_CAMPAIGN_STATE',
      'Campaign cannot be started. Missing required configuration.',
      {
        missing,
      },
    );
  }
}

/** What a campaign's record gains when it starts. */
function startFields(): Pick<CampaignDoc, 'status' | 'startedAt' | 'instanceId'> {
  return { status: 'running', startedAt: new Date(), instanceId: `cid-${randomUUID()}` };
}

interface AcceptedContact {
  input: ContactInput;
  e164: string;
  scheduledAt?: number;
  timezones: string[];
}

/**
 * The contacts of an upload that can be called (numbers normalised, scheduled times read), the
 * ones refused and why, and how many repeat an earlier number of the upload.
 */
export function acceptContacts(
  contacts: ContactInput[],
  opts: { isScheduledCall: boolean; region: CountryCode; now: number },
): { accepted: AcceptedContact[]; rejected: RejectedContact[]; duplicates: number } {
  const accepted: AcceptedContact[] = [];
  const rejected: RejectedContact[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  contacts.forEach((input, index) => {
    const phone = normalizePhone(input.phone_number, opts.region);
    if (!phone.ok) {
      rejected.push({
        index,
        phone_number: input.phone_number,
        field: 'phone_number',
        message: phone.reason,
      });
      return;
    }
    const schedule = opts.isScheduledCall
      ? parseScheduledTime(input.scheduledCallDateTime, opts.now)
      : undefined;
    if (schedule && !schedule.ok) {
      rejected.push({
        index,
        phone_number: input.phone_number,
        field: 'scheduledCallDateTime',
        message: schedule.problem,
      });
      return;
    }
    if (seen.has(phone.e164)) {
      duplicates += 1;
      return;
    }
    seen.add(phone.e164);
    const timezones = input.timezone ? [input.timezone] : timezonesForNumber(phone.e164);
    accepted.push({ input, e164: phone.e164, scheduledAt: schedule?.at, timezones });
  });
  return { accepted, rejected, duplicates };
}

/** The documents of an upload's accepted contacts, in the upload's order, and their calling zones. */
function contactDocs(
  upload: { campaign: ContactIdsOf; uploadId: string; now: number },
  accepted: AcceptedContact[],
  blocked: Set<string>,
): Pick<ReadUpload, 'docs' | 'timezones'> {
  const createdAt = new Date(upload.now);
  const timezones = new Map<string, string[]>();
  const docs = accepted.map((a, i): ContactDoc => {
    const _id = contactIdFor(upload.campaign, a.e164);
    timezones.set(_id, a.timezones);
    return {
      _id,
      campaignId: upload.campaign._id,
      uploadId: upload.uploadId,
      seq: upload.now * 1000 + i,
      phone: a.e164,
      ...(a.input.phone_number !== a.e164 && { rawPhone: a.input.phone_number }),
      ...(Boolean(a.input.timezone) && { timezones: a.timezones }),
      status: blocked.has(a.e164) ? 'skipped_dnc' : 'pending',
      createdAt,
      ...(a.input.name !== undefined && { name: a.input.name }),
      ...(a.input.email !== undefined && { email: a.input.email }),
      ...(a.input.custom_data !== undefined && { customData: a.input.custom_data }),
      ...(a.scheduledAt !== undefined && { scheduledAt: new Date(a.scheduledAt) }),
      ...(blocked.has(a.e164) && { endReason: 'dnc', finishedAt: createdAt }),
    };
  });
  return { docs, timezones };
}

/** The batch that commits the `taken` contacts of an upload, and what it adds up to. */
function uploadBatch(campaignId: string, upload: ReadUpload, taken: ContactDoc[]) {
  const refs: ContactRef[] = taken
    .filter((d) => d.status === 'pending')
    .map((d) => ({
      contactId: d._id,
      phone: d.phone,
      ...(d.name !== undefined && { name: d.name }),
      timezones: upload.timezones.get(d._id) ?? contactTimezones(d),
      attempts: 0,
      ...(d.scheduledAt && { scheduledAt: d.scheduledAt.getTime() }),
    }));
  const skippedDnc = taken.length - refs.length;
  const latestScheduled = Math.max(0, ...refs.map((r) => r.scheduledAt ?? 0));
  const scheduled = refs.filter((r) => r.scheduledAt !== undefined && r.scheduledAt > upload.now).length;
  const batch: BatchDoc = {
    _id: batchDocId(campaignId, upload.uploadId),
    campaignId,
    uploadId: upload.uploadId,
    kind: 'upload',
    refs,
    delta: { total: taken.length, contacts: { pending: refs.length, skipped_dnc: skippedDnc } },
    createdAt: new Date(upload.now),
  };
  return {
    batch,
    latestScheduledAt: latestScheduled ? new Date(latestScheduled) : undefined,
    summary: { uploaded: taken.length, skippedDnc, scheduled, immediate: refs.length - scheduled },
  };
}
/** A run that settled its campaign returns right after; this is ample for it to close. */
const CLOSING_RUN_WAIT_MS = 30_000;
/** How long to wait before asking a campaign run that is still starting again. */
const STARTING_RETRY_MS = 150;

/**
 * Status answers this old at most are given as they are: many callers polling one campaign cost
 * the worker one query per interval, not one each (a query is a workflow task the dials wait behind).
 */
const SNAPSHOT_FRESH_MS = 250;
/**
 * While a newer answer is asked for, one this old at most is given at once: when the worker is
 * saturated a query waits seconds behind the calls' workflow tasks, and callers get the last
 * state the campaign reported (its time in `asOf`) rather than that wait.
 */
const SNAPSHOT_STALE_MS = 10_000;
const ACTIVE: CampaignStatus[] = ['running', 'paused'];

/**
 * The one core every API dialect calls: campaigns, their contacts, and the campaign workflow's
 * life cycle. MongoDB decides who wins a race (atomic status transitions); Temporal runs the rest.
 */
export class CampaignService {
  private readonly queryTimeoutMs: number;
  private readonly snapshots: LatestAnswers<CampaignSnapshot>;
  /**
   * Reads of a campaign's record for status answers, while under way: callers polling one
   * campaign at once share a read instead of queueing one each at the database.
   */
  private readonly statusReads = new Map<string, Promise<CampaignDoc>>();

  constructor(private readonly deps: ServiceDeps) {
    this.queryTimeoutMs = deps.queryTimeoutMs ?? 3000;
    this.snapshots = new LatestAnswers((campaignId) => this.askWorkflow(campaignId), {
      freshMs: SNAPSHOT_FRESH_MS,
      staleMs: SNAPSHOT_STALE_MS,
    });
  }

  /* ------------------------------------------------------------ campaigns */

  async createCampaign(accountId: string, input: CampaignSettingsInput): Promise<CampaignDoc> {
    const doc = await this.draftCampaign(accountId, parseSettings(input), newCampaignId());
    await this.deps.store.insertCampaign(doc);
    return doc;
  }

  /** A new draft campaign, numbered, not yet written. */
  private async draftCampaign(
    accountId: string,
    settings: CampaignSettings,
    id: string,
  ): Promise<CampaignDoc> {
    const now = new Date();
    const [numericId, codeSeq] = await Promise.all([
      this.deps.store.nextSequence('campaign'),
      this.deps.store.nextSequence(`campaign-code:${accountId}:${now.getUTCFullYear()}`),
    ]);
    return {
      _id: id,
      numericId,
      code: `CAMP-${now.getUTCFullYear()}-${String(codeSeq).padStart(3, '0')}`,
      accountId,
      name: settings.name,
      status: 'draft',
      isScheduledCall: settings.isScheduledCall,
      isContextBasedCall: settings.isContextBasedCall,
      redialConfig: resolveRedial(settings.redialConfig),
      maxConcurrentCalls: settings.maxConcurrentCalls,
      counts: emptyCounters(),
      batches: [],
      batchesTaken: 0,
      contactIdPrefix: contactIdPrefix(id),
      createdAt: now,
      updatedAt: now,
      ...(settings.agentId && { agentId: settings.agentId }),
      ...(settings.description && { description: settings.description }),
      ...(settings.callingHours && { callingHours: settings.callingHours }),
      ...(settings.fromNumber && { fromNumber: settings.fromNumber }),
    };
  }

  async getCampaign(accountId: string, ref: string): Promise<CampaignDoc> {
    const campaign = await this.deps.store.findCampaign(accountId, ref);
    if (!campaign) throw notFound();
    return campaign;
  }

  listCampaigns(accountId: string, opts: { statuses?: CampaignStatus[]; limit: number; offset: number }) {
    return this.deps.store.listCampaigns(accountId, opts);
  }

  /* ------------------------------------------------------------ contacts */

  /**
   * Adds contacts: normalises numbers, drops duplicates (in the request and in the campaign),
   * marks do-not-call numbers, and commits them as one batch the campaign dials in order.
   */
  async uploadContacts(
    accountId: string,
    ref: string,
    contacts: ContactInput[],
    opts: UploadOptions = {},
  ): Promise<UploadResult> {
    const campaign = await this.getCampaign(accountId, ref);
    if (campaign.status === 'completed' || campaign.status === 'cancelled' || campaign.status === 'failed') {
      throw new CampaignError(
        'CAMPAIGN_FINISHED',
        `Campaign is ${campaign.status}: contacts can no longer be added`,
        {
          current_status: campaign.status,
        },
      );
    }
    const upload = await this.readUpload(accountId, campaign, contacts, opts);
    const existing = await this.deps.store.insertContacts(upload.docs);
    return this.commitUpload(campaign, upload, existing);
  }

  /**
   * Creates a campaign with its contacts and starts it (upload-and-run); refuses the whole request
   * when any contact is refused. The campaign is written last, already holding its batch and
   * started, so one write does what creating, committing and starting do one after another; if the
   * workflow then does not start, the campaign is deleted.
   */
  async createAndStart(
    accountId: string,
    input: CampaignSettingsInput,
    contacts: ContactInput[],
  ): Promise<{ campaign: CampaignDoc; upload: UploadResult }> {
    const settings = parseSettings(input);
    assertComplete(settings.agentId, contacts.length);
    const id = newCampaignId();
    const { isScheduledCall } = settings;
    // Every contact is checked before anything is written, so that a refused request writes nothing.
    // Writing parts while later ones were checked took longer: the database and the checking
    // share the same cores (BENCHMARKS.md, start latency).
    const named = { _id: id, isScheduledCall, contactIdPrefix: contactIdPrefix(id) };
    const upload = await this.readUpload(accountId, named, contacts, { strictSchedule: false });
    if (upload.rejected.length > 0) {
      // contactProblems names every problem of a contact (its number and its time both).
      const rules = { isScheduledCall, region: this.deps.defaultRegion, now: upload.now };
      throw invalid('Some contacts cannot be called', contactProblems(contacts, rules));
    }
    const { batch, latestScheduledAt, summary } = uploadBatch(id, upload, upload.docs);
    // The contacts and their batch before the campaign that commits them: a start that fails
    // halfway leaves only documents that nothing reads. A new campaign's contacts cannot exist yet.
    const [draft] = await Promise.all([
      this.draftCampaign(accountId, settings, id),
      this.deps.store.saveBatch(batch),
      this.deps.store.insertContacts(upload.docs),
    ]);
    const campaign: CampaignDoc = {
      ...draft,
      ...startFields(),
      counts: withDelta(draft.counts, batch.delta),
      batches: [upload.uploadId],
      ...(latestScheduledAt && { latestScheduledAt }),
    };
    await this.deps.store.insertCampaign(campaign);
    try {
      await this.launch(campaign, draft.status);
    } catch (err) {
      // Soft delete: a failed create-and-run leaves no campaign to see or start.
      await this.deleteCampaign(accountId, id).catch((undo: unknown) => {
        this.deps.log.error(
          { err: undo, campaignId: id },
          'could not remove the draft of a failed upload-and-run',
        );
      });
      throw err;
    }
    return {
      campaign,
      upload: { campaign, ...summary, duplicates: upload.duplicates, rejected: [] },
    };
  }

  /**
   * Reads an upload: normalises numbers, drops duplicates within it, checks scheduled times and
   * marks do-not-call numbers. Writes nothing.
   */
  private async readUpload(
    accountId: string,
    campaign: ContactIdsOf & Pick<CampaignDoc, 'isScheduledCall'>,
    contacts: ContactInput[],
    opts: UploadOptions,
  ): Promise<ReadUpload> {
    const now = Date.now();
    const { accepted, rejected, duplicates } = acceptContacts(contacts, {
      isScheduledCall: campaign.isScheduledCall,
      region: this.deps.defaultRegion,
      now,
    });
    const scheduleProblems = rejected.filter((r) => r.field === 'scheduledCallDateTime');
    if (opts.strictSchedule && scheduleProblems.length > 0) {
      throw invalid(
        'isScheduledCall needs a valid future scheduledCallDateTime for every contact',
        scheduleProblems.map((r) => ({
          path: `contacts.${r.index}.scheduledCallDateTime`,
          message: r.message,
        })),
      );
    }
    const blocked = await this.deps.dnc.blockedAmong(
      accountId,
      campaign._id,
      accepted.map((a) => a.e164),
    );
    const uploadId = randomUUID();
    const { docs, timezones } = contactDocs({ campaign, uploadId, now }, accepted, blocked);
    return { now, uploadId, docs, timezones, rejected, duplicates };
  }

  /**
   * Commits an upload whose contacts are written (`existing`: those the campaign had already) as
   * one batch, and tells the campaign's workflow.
   */
  private async commitUpload(
    campaign: CampaignDoc,
    upload: ReadUpload,
    existing: Set<string>,
  ): Promise<UploadResult> {
    const { uploadId, docs, rejected } = upload;
    const adopted = await this.adoptUncommitted(campaign, docs, existing, uploadId);
    const taken = docs.filter((d) => !existing.has(d._id) || adopted.has(d._id));
    const duplicates = upload.duplicates + docs.length - taken.length;

    if (taken.length === 0) {
      // Nothing new: committing an empty batch would only wake (or reopen) the campaign for nothing.
      return { campaign, uploaded: 0, duplicates, skippedDnc: 0, rejected, scheduled: 0, immediate: 0 };
    }
    const { batch, latestScheduledAt, summary } = uploadBatch(campaign._id, upload, taken);
    const committed = await this.deps.store.commitBatch(batch, latestScheduledAt);
    await this.notifyBatches(committed);
    return { campaign: committed, ...summary, duplicates, rejected };
  }

  /**
   * Contacts inserted by an upload that never committed (its process died between the two
   * steps) belong to nobody: this upload takes them over instead of calling them duplicates.
   */
  private async adoptUncommitted(
    campaign: CampaignDoc,
    docs: ContactDoc[],
    existing: Set<string>,
    uploadId: string,
  ): Promise<Set<string>> {
    const adopted = new Set<string>();
    if (existing.size === 0) return adopted;
    const committed = new Set(campaign.batches);
    const found = await this.deps.store.getContacts([...existing]);
    for (const contact of found) {
      if (contact && !committed.has(contact.uploadId)) adopted.add(contact._id);
    }
    for (const doc of docs.filter((d) => adopted.has(d._id))) {
      const { _id, createdAt: _createdAt, ...fields } = doc;
      // This upload's form of the number and its own zones, or none where it gave neither.
      const unset: (keyof ContactDoc)[] = [];
      if (fields.rawPhone === undefined) unset.push('rawPhone');
      if (fields.timezones === undefined) unset.push('timezones');
      await this.deps.store.updateContact(_id, { ...fields, uploadId }, { unset });
    }
    return adopted;
  }

  /** A running campaign takes new batches at once; one that just finished is started again for them. */
  private async notifyBatches(campaign: CampaignDoc): Promise<void> {
    if (ACTIVE.includes(campaign.status)) {
      try {
        await this.handle(campaign._id).signal(batchesAddedSignal);
        this.snapshots.forget(campaign._id);
        return;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    } else if (campaign.status !== 'completed') {
      // Not started yet: it takes every committed batch when it starts.
      return;
    }
    const fresh = await this.deps.store.getCampaign(campaign._id);
    if (fresh?.status === 'completed' && fresh.batches.length > fresh.batchesTaken) {
      const reopened = await this.deps.store.transition(fresh._id, ['completed'], { status: 'running' }, [
        'completedAt',
      ]);
      if (reopened) await this.launch(reopened, 'completed');
    }
  }

  /**
   * Dials finished contacts once more (one more attempt each), as a batch of their own: a running
   * campaign takes it at once, a completed one starts again for it.
   */
  async redialContacts(accountId: string, ref: string, selection: RedialSelection): Promise<RedialResult> {
    const campaign = await this.getCampaign(accountId, ref);
    if (campaign.status === 'cancelled' || campaign.status === 'draft' || campaign.status === 'scheduled') {
      throw new CampaignError(
        'INVALID_CAMPAIGN_STATE',
        `Calls of a ${campaign.status} campaign cannot be redialed`,
        {
          current_status: campaign.status,
        },
      );
    }
    const excluded: Partial<Record<RedialExclusion, number>> = {};
    const exclude = (reason: RedialExclusion) => (excluded[reason] = (excluded[reason] ?? 0) + 1);
    let candidates: ContactDoc[];
    let considered: number;
    if ('callIds' in selection) {
      const ids = [...new Set(selection.callIds)];
      // A call is named by the provider's id or by our own (its idempotency key).
      const calls = await this.deps.store.calls
        .find(
          { ...callsOf(campaign._id), $or: [{ callId: { $in: ids } }, { _id: { $in: ids } }] },
          { projection: { contactId: 1 } },
        )
        .toArray();
      considered = ids.length;
      if (calls.length < ids.length) excluded.not_found = ids.length - calls.length;
      const contactIds = [...new Set(calls.map((c) => c.contactId))];
      candidates = (await this.deps.store.getContacts(contactIds)).filter((c): c is ContactDoc => c !== null);
    } else {
      const { outcomes, maxPreviousAttempts } = selection.criteria;
      candidates = await this.deps.store.contacts
        .find({ ...contactsOf(campaign), lastOutcome: { $in: outcomes } })
        .toArray();
      considered = candidates.length;
      candidates = candidates.filter((c) => {
        if (maxPreviousAttempts === undefined || (c.attempts ?? 0) <= maxPreviousAttempts) return true;
        exclude('max_attempts_reached');
        return false;
      });
    }
    const committed = new Set(campaign.batches);
    const blocked =
      'criteria' in selection && !selection.criteria.excludeDnc
        ? new Set<string>()
        : await this.deps.dnc.blockedAmong(
            accountId,
            campaign._id,
            candidates.map((c) => c.phone),
          );
    const eligible: ContactDoc[] = [];
    for (const c of candidates) {
      if (!committed.has(c.uploadId)) exclude('not_found');
      else if (c.status !== 'completed' && c.status !== 'failed')
        exclude(c.attempts ? 'not_finished' : 'not_dialed');
      else if (blocked.has(c.phone)) exclude('dnc');
      else eligible.push(c);
    }

    const redialBatchId = randomUUID();
    const moved: Partial<Record<ContactStatus, number>> = {};
    const refs: ContactRef[] = [];
    for (const c of eligible) {
      const ok = await this.deps.store.moveContact(c._id, [c.status], {
        status: 'pending',
        maxAttempts: (c.attempts ?? 0) + 1,
        redialBatchId,
      });
      if (!ok) {
        exclude('not_finished');
        continue;
      }
      moved[c.status] = (moved[c.status] ?? 0) - 1;
      refs.push({
        contactId: c._id,
        phone: c.phone,
        ...(c.name !== undefined && { name: c.name }),
        timezones: contactTimezones(c),
        attempts: c.attempts ?? 0,
        maxAttempts: (c.attempts ?? 0) + 1,
        redial: true,
      });
    }
    if (refs.length === 0) return { campaign, redialBatchId, considered, scheduled: 0, excluded };
    const batch: BatchDoc = {
      _id: batchDocId(campaign._id, redialBatchId),
      campaignId: campaign._id,
      uploadId: redialBatchId,
      kind: 'redial',
      refs,
      delta: { contacts: { ...moved, pending: refs.length } },
      createdAt: new Date(),
    };
    const updated = await this.deps.store.commitBatch(batch);
    await this.notifyBatches(updated);
    return { campaign: updated, redialBatchId, considered, scheduled: refs.length, excluded };
  }

  /* ------------------------------------------------------------ life cycle */

  /**
   * Starts a draft campaign, or resumes a paused one when `resumePaused`. Of many concurrent
   * starts exactly one succeeds; the others get CAMPAIGN_ALREADY_RUNNING.
   */
  async startCampaign(
    accountId: string,
    ref: string,
    opts: { resumePaused: boolean } = { resumePaused: true },
  ): Promise<{ campaign: CampaignDoc; resumed: boolean }> {
    const campaign = await this.getCampaign(accountId, ref);
    if (campaign.status === 'paused' && opts.resumePaused) {
      return { campaign: await this.resumeCampaign(accountId, ref), resumed: true };
    }
    return { campaign: await this.startLoaded(campaign), resumed: false };
  }

  /** Starts a campaign just read: only a draft or scheduled one with an agent and contacts. */
  private async startLoaded(campaign: CampaignDoc): Promise<CampaignDoc> {
    assertStartable(campaign);
    const started = await this.deps.store.transition(campaign._id, STARTABLE, startFields());
    if (!started) {
      const now = await this.deps.store.getCampaign(campaign._id);
      throw alreadyRunning(now ?? campaign);
    }
    await this.launch(started, campaign.status);
    return started;
  }

  /** Starts the campaign workflow; undoes the status change if Temporal refuses. */
  private async launch(campaign: CampaignDoc, previousStatus: CampaignStatus): Promise<void> {
    this.snapshots.forget(campaign._id);
    const start = () =>
      this.deps.temporal.workflow.start(campaignWorkflow, {
        taskQueue: this.deps.taskQueue,
        workflowId: campaignWorkflowId(campaign._id),
        args: [{ campaignId: campaign._id }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        typedSearchAttributes: [
          { key: CampaignIdKey, value: campaign._id },
          { key: AccountIdKey, value: campaign.accountId },
        ],
      });
    try {
      try {
        await start();
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        // A run that settled its campaign as completed may still be returning: the batch that made
        // us restart arrived after its settle, so it is ours to run once that run has closed.
        if (previousStatus !== 'completed') return;
        await this.untilClosed(campaign._id);
        await start();
      }
    } catch (err) {
      // A campaign that never ran keeps no trace of the refused start.
      const unset: (keyof CampaignDoc)[] = STARTABLE.includes(previousStatus)
        ? ['startedAt', 'instanceId']
        : [];
      await this.deps.store.transition(campaign._id, ['running'], { status: previousStatus }, unset);
      this.deps.log.error({ err, campaignId: campaign._id }, 'campaign workflow did not start');
      throw new CampaignError(
        'SERVICE_UNAVAILABLE',
        'The campaign could not be started right now; try again',
      );
    }
  }

  /** Waits (briefly) for the campaign's current run to close. */
  private async untilClosed(campaignId: string): Promise<void> {
    const deadline = Date.now() + CLOSING_RUN_WAIT_MS;
    while (Date.now() < deadline) {
      const { status } = await this.handle(campaignId).describe();
      if (status.name !== 'RUNNING') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`campaign ${campaignId}'s run did not close within ${CLOSING_RUN_WAIT_MS} ms`);
  }

  async pauseCampaign(
    accountId: string,
    ref: string,
  ): Promise<{ campaign: CampaignDoc; snapshot: CampaignSnapshot }> {
    const campaign = await this.getCampaign(accountId, ref);
    if (campaign.status !== 'running') {
      throw new CampaignError('CAMPAIGN_NOT_RUNNING', `Campaign is not running (it is ${campaign.status})`, {
        current_status: campaign.status,
      });
    }
    const paused = await this.deps.store.transition(campaign._id, ['running'], {
      status: 'paused',
      pausedAt: new Date(),
    });
    if (!paused) return this.pauseCampaign(accountId, ref);
    const snapshot = await this.update(campaign._id, pauseUpdate);
    return { campaign: paused, snapshot };
  }

  async resumeCampaign(accountId: string, ref: string): Promise<CampaignDoc> {
    const campaign = await this.getCampaign(accountId, ref);
    if (campaign.status === 'running') throw alreadyRunning(campaign);
    if (campaign.status !== 'paused') {
      throw new CampaignError('CAMPAIGN_NOT_PAUSED', `Campaign is not paused (it is ${campaign.status})`, {
        current_status: campaign.status,
      });
    }
    const resumed = await this.deps.store.transition(campaign._id, ['paused'], { status: 'running' }, [
      'pausedAt',
    ]);
    if (!resumed) throw alreadyRunning((await this.deps.store.getCampaign(campaign._id)) ?? campaign);
    await this.update(campaign._id, resumeUpdate);
    return resumed;
  }

  /** Stops every contact, the sleeping ones too; contacts not yet dialed end `cancelled`. */
  async cancelCampaign(accountId: string, ref: string): Promise<CampaignDoc> {
    const campaign = await this.getCampaign(accountId, ref);
    if (!['draft', 'scheduled', 'running', 'paused'].includes(campaign.status)) {
      throw new CampaignError('INVALID_CAMPAIGN_STATE', `Campaign is already ${campaign.status}`, {
        current_status: campaign.status,
      });
    }
    const cancelled = await this.deps.store.transition(campaign._id, [campaign.status], {
      status: 'cancelled',
      cancelledAt: new Date(),
    });
    if (!cancelled) return this.cancelCampaign(accountId, ref);
    if (ACTIVE.includes(campaign.status)) {
      await this.update(campaign._id, cancelUpdate);
    } else {
      await this.cancelUnstarted(cancelled);
    }
    return cancelled;
  }

  /** A campaign that never ran has only pending contacts: they are cancelled here, no workflow involved. */
  private async cancelUnstarted(campaign: CampaignDoc): Promise<void> {
    let cancelled = 0;
    for (const uploadId of campaign.batches) {
      const batch = await this.deps.store.getBatch(campaign._id, uploadId);
      if (!batch) continue;
      cancelled += await this.deps.store.updateContacts(
        batch.refs.map((r) => r.contactId),
        { status: 'cancelled', finishedAt: new Date(), endReason: 'campaign_cancelled' },
        ['pending'],
      );
    }
    const counts = structuredClone(campaign.counts);
    counts.contacts.pending -= cancelled;
    counts.contacts.cancelled += cancelled;
    await this.deps.store.patchCampaign(campaign._id, { counts, batchesTaken: campaign.batches.length });
  }

  /** Deletes a campaign that is not running; a paused one is cancelled first (nothing more is dialed). */
  async deleteCampaign(accountId: string, ref: string): Promise<CampaignDoc> {
    let campaign = await this.getCampaign(accountId, ref);
    if (campaign.status === 'running') {
      throw new CampaignError(
        'CAMPAIGN_RUNNING',
        'Campaign is running: pause or cancel it before deleting it',
        {
          current_status: campaign.status,
        },
      );
    }
    if (campaign.status === 'paused') campaign = await this.cancelCampaign(accountId, ref);
    await this.deps.store.patchCampaign(campaign._id, { deletedAt: new Date() });
    return campaign;
  }

  /* ------------------------------------------------------------ status */

  async getStatus(accountId: string, ref: string): Promise<CampaignStatusView> {
    const readAt = new Date();
    const campaign = await this.readForStatus(accountId, ref);
    if (ACTIVE.includes(campaign.status)) {
      const answer = await this.snapshots.get(campaign._id);
      if (answer) {
        const snapshot = answer.value;
        return {
          campaign,
          asOf: new Date(answer.at),
          counters: snapshot.counters,
          liveCalls: snapshot.liveCalls,
          ...(snapshot.accountLines !== undefined && { accountLines: snapshot.accountLines }),
          estimatedCompletionAt: new Date(snapshot.estimatedCompletionAt),
          source: 'workflow',
          ...(snapshot.pausedAt !== undefined && { pausedAt: new Date(snapshot.pausedAt) }),
        };
      }
    }
    return {
      campaign,
      asOf: readAt,
      counters: campaign.counts,
      liveCalls: 0,
      source: 'record',
      ...(campaign.pausedAt && { pausedAt: campaign.pausedAt }),
      ...(campaign.completedAt && { estimatedCompletionAt: campaign.completedAt }),
    };
  }

  private readForStatus(accountId: string, ref: string): Promise<CampaignDoc> {
    const key = `${accountId}\u0000${ref}`;
    const underWay = this.statusReads.get(key);
    if (underWay) return underWay;
    const read = this.getCampaign(accountId, ref).finally(() => this.statusReads.delete(key));
    this.statusReads.set(key, read);
    return read;
  }

  /** The running workflow's latest answer, as every caller shares it; undefined when none came in time. */
  async querySnapshot(campaignId: string): Promise<CampaignSnapshot | undefined> {
    return (await this.snapshots.get(campaignId))?.value;
  }

  /**
   * The running workflow's own answer, or undefined when it cannot give one in time. A run that is
   * still loading its plan (the first second after a start) is asked again a few times.
   */
  private async askWorkflow(campaignId: string): Promise<CampaignSnapshot | undefined> {
    const deadline = Date.now() + this.queryTimeoutMs;
    for (;;) {
      try {
        return await withTimeout(
          this.handle(campaignId).query(statusQuery),
          Math.max(100, deadline - Date.now()),
        );
      } catch (err) {
        const starting = /campaign is starting/.test((err as Error).message);
        if (starting && Date.now() + STARTING_RETRY_MS < deadline) {
          await new Promise((resolve) => setTimeout(resolve, STARTING_RETRY_MS));
          continue;
        }
        this.deps.log.warn({ err, campaignId }, 'status query failed; answering from the record');
        return undefined;
      }
    }
  }

  /**
   * A contact as its workflow sees it now. The record changes only when a call is placed or ends,
   * so it cannot say that a contact sleeps until its calling window opens or its next redial.
   */
  async liveContact(campaign: CampaignDoc, contact: ContactDoc): Promise<ContactDoc> {
    if (!ACTIVE.includes(campaign.status) || isFinalContactStatus(contact.status)) return contact;
    try {
      const state = await withTimeout(
        this.deps.temporal.workflow
          .getHandle(contactWorkflowId(campaign._id, contact._id))
          .query(contactStateQuery),
        this.queryTimeoutMs,
      );
      return {
        ...contact,
        status: state.status,
        attempts: Math.max(contact.attempts ?? 0, state.attempts),
        ...(state.nextDialAt !== undefined && { nextAttemptAt: new Date(state.nextDialAt) }),
      };
    } catch (err) {
      // Not started yet, or just finished: the record is then the whole truth, but for one thing it
      // cannot say: an unstarted contact of a scheduled campaign waits for its scheduled time.
      this.deps.log.debug(
        { err, contactId: contact._id },
        'contact state query failed; answering from the record',
      );
      const waitsForItsTime =
        campaign.isScheduledCall &&
        contact.status === 'pending' &&
        contact.scheduledAt !== undefined &&
        contact.scheduledAt.getTime() > Date.now();
      return waitsForItsTime
        ? { ...contact, status: 'scheduled', nextAttemptAt: contact.scheduledAt }
        : contact;
    }
  }

  /** Pause, resume or cancel; the next status answer is a fresh one. */
  private async update(campaignId: string, def: typeof pauseUpdate) {
    try {
      return await this.handle(campaignId).executeUpdate(def);
    } finally {
      this.snapshots.forget(campaignId);
    }
  }

  private handle(campaignId: string) {
    return this.deps.temporal.workflow.getHandle(campaignWorkflowId(campaignId));
  }
}

function alreadyRunning(campaign: CampaignDoc): CampaignError {
  return new CampaignError('CAMPAIGN_ALREADY_RUNNING', 'Campaign is already running', {
    current_status: campaign.status,
    started_at: campaign.startedAt?.toISOString(),
  });
}

function resolveRedial(input: Partial<RedialConfig> | undefined): RedialConfig {
  if (!input) return defaultRedialConfig;
  const enabled = input.enabled ?? false;
  return {
    enabled,
    maxAttempts: enabled ? (input.maxAttempts ?? 3) : 1,
    retryIntervals: input.retryIntervals?.length ? input.retryIntervals : defaultRedialConfig.retryIntervals,
    retryOn: input.retryOn?.length ? input.retryOn : defaultRedialConfig.retryOn,
  };
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
