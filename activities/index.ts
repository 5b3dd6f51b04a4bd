import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { AccountStore } from '../src/accounts/store';
import type { BatchDoc, CampaignDoc, ContactRef, CountsDelta } from '../src/campaigns/model';
import type { CampaignStore } from '../src/campaigns/store';
import type { CampaignCounters } from '../src/domain/counters';
import type { LinesReport } from '../src/domain/account-lines';
import { START_AHEAD_MAX_MS } from '../src/domain/starts';
import { contactWorkflowId, dialIdempotencyKey } from '../src/domain/ids';
import { CampaignIdKey, contactStartAttributes } from '../src/domain/search-attributes';
import type { CallOutcome, ContactStatus } from '../src/domain/status';
import type { DncStore } from '../src/dnc/store';
import {
  DialerError,
  WindowClosedError,
  windowClosed,
  type Dialer,
  type PlaceCallRequest,
} from '../src/dialers/types';
import type { Logger } from '../src/log';
import { accountLinesStart } from '../src/temporal/account-lines';
import { accountLinesWorkflow } from '../workflows/account-lines';
import { contactWorkflow, type ContactWorkflowInput } from '../workflows/contact';
import { linesWantedSignal, type CampaignPlan } from '../workflows/messages';

export interface ActivityDeps {
  store: CampaignStore;
  accounts: Pick<AccountStore, 'findAccount'>;
  dnc: DncStore;
  dialer: Dialer;
  client: Client;
  log: Logger;
  settings: {
    /** Where providers send call-status callbacks. */
    callbackUrl: string;
    outcomeTimeoutS: number;
    dialTaskQueue: string;
    /** Contacts dial in a local activity (no calls-per-second cap to enforce on the dial queue). */
    dialLocally: boolean;
    /** History events per campaign workflow run before it continues as new. */
    historyLimit: number;
    /** Dials that may wait for their time at once on this worker (`DialInput.notBefore`). */
    waitingDials: number;
  };
}

export type TakeResult =
  { kind: 'none' } | { kind: 'refs'; refs: ContactRef[]; batchSize: number; delta: CountsDelta };

export type DialResult =
  | { status: 'placed'; callId: string; placedAt: number }
  | { status: 'blocked'; reason: 'dnc' | 'campaign_inactive' }
  /** The callee's calling window closed before the call went out: the attempt waits for the next. */
  | { status: 'outside_window' }
  /** It was asked to wait for its time, and its worker had no room for another waiting dial. */
  | { status: 'early' }
  | { status: 'failed'; reason: string };

export interface DialInput {
  campaignId: string;
  accountId: string;
  contactId: string;
  workflowId: string;
  attempt: number;
  phone: string;
  name?: string;
  isContextBasedCall: boolean;
  /**
   * When the callee's calling window closes (epoch ms; absent when it stays open for weeks). A dial
   * can run well after the workflow chose to make it: retried while the provider is down, or
   * waiting for a turn under a calls-per-second cap. None may reach the provider at or after this.
   */
  notAfter?: number;
  /**
   * When the call is due (epoch ms), for a dial made before its time: it waits in the worker until
   * then, which spares the server the timer and the workflow task that would wake the contact,
   * and places the call within milliseconds of its time. Each wait holds a local-activity slot and
   * the contact's workflow task, so a worker keeps room for `waitingDials` of them; past that the
   * dial answers `early` at once and the contact sleeps on a timer instead.
   */
  notBefore?: number;
}

export interface RecordAttemptInput {
  key: string;
  accountId: string;
  contactId: string;
  phone: string;
  attempt: number;
  /** The provider's id of the call and when it took it (epoch ms), when one was placed. */
  callId?: string;
  placedAt?: number;
  /** When the callee answered (epoch ms), if the provider said so before the end. */
  answeredAt?: number;
  outcome: CallOutcome;
  reason?: string;
  durationS?: number;
  optOut: boolean;
  nextStatus: ContactStatus;
  nextAttemptAt?: number;
}

/** Batches never change once written, so a worker keeps the recent ones instead of reading them per page. */
const BATCH_CACHE_SIZE = 64;

/** A dial reads its campaign's status this stale at most: cancelling also stops every contact workflow. */
const CAMPAIGN_CACHE_MS = 1000;

/** The memo field naming the request that started a contact workflow outside its campaign's run. */
const START_TOKEN = 'startToken';

/** How many contact workflows the cancel sweep stops at once. */
const CANCEL_CONCURRENCY = 32;

export function createActivities(deps: ActivityDeps) {
  const { store, accounts, dnc, dialer, client, log, settings } = deps;
  const batchCache = new Map<string, BatchDoc>();
  const campaignCache = new Map<string, { campaign: CampaignDoc | null; until: number }>();
  let waitingDials = 0;

  const campaignForDial = async (campaignId: string): Promise<CampaignDoc | null> => {
    const now = Date.now();
    const hit = campaignCache.get(campaignId);
    if (hit && hit.until > now) return hit.campaign;
    const campaign = await store.getCampaign(campaignId);
    if (campaignCache.size > 10_000) campaignCache.clear();
    campaignCache.set(campaignId, { campaign, until: now + CAMPAIGN_CACHE_MS });
    return campaign;
  };

  const requireCampaign = async (campaignId: string): Promise<CampaignDoc> => {
    const campaign = await store.getCampaign(campaignId);
    if (!campaign)
      throw ApplicationFailure.nonRetryable(`campaign ${campaignId} does not exist`, 'CampaignMissing');
    return campaign;
  };

  const batchAt = async (
    campaignId: string,
    index: number,
  ): Promise<{ batch?: BatchDoc; committed: number }> => {
    const campaign = await requireCampaign(campaignId);
    const uploadId = campaign.batches[index];
    if (uploadId === undefined) return { committed: campaign.batches.length };
    const cacheKey = `${campaignId}:${uploadId}`;
    let batch = batchCache.get(cacheKey);
    if (!batch) {
      batch = (await store.getBatch(campaignId, uploadId)) ?? undefined;
      if (!batch) throw new Error(`batch ${cacheKey} is listed but missing`);
      batchCache.set(cacheKey, batch);
      if (batchCache.size > BATCH_CACHE_SIZE) batchCache.delete(batchCache.keys().next().value as string);
    }
    return { batch, committed: campaign.batches.length };
  };

  return {
    loadCampaignPlan: async (campaignId: string): Promise<CampaignPlan> => {
      const c = await requireCampaign(campaignId);
      const accountCapped = ((await accounts.findAccount(c.accountId))?.maxConcurrentCalls ?? 0) > 0;
      return {
        accountId: c.accountId,
        maxConcurrentCalls: c.maxConcurrentCalls,
        policy: {
          redial: c.redialConfig,
          callingHours: c.callingHours,
          isScheduledCall: c.isScheduledCall,
          isContextBasedCall: c.isContextBasedCall,
          outcomeTimeoutS: settings.outcomeTimeoutS,
          dialTaskQueue: settings.dialTaskQueue,
          ...(settings.dialLocally && { dialLocally: true }),
        },
        paused: c.status === 'paused',
        counts: c.counts,
        batchesCommitted: c.batches.length,
        batchesTaken: c.batchesTaken,
        startedAt: (c.startedAt ?? c.createdAt).getTime(),
        latestScheduledAt: c.latestScheduledAt?.getTime(),
        historyLimit: settings.historyLimit,
        ...(accountCapped && { accountCapped }),
      };
    },

    /** The account's cap on live calls across its campaigns, as it stands now (0: none). */
    loadAccountCap: async (accountId: string): Promise<number> =>
      (await accounts.findAccount(accountId))?.maxConcurrentCalls ?? 0,

    /** Ids of the account's running and paused campaigns. */
    activeCampaignIds: (accountId: string): Promise<string[]> => store.activeCampaignIds(accountId),

    /** A campaign's report to its account's lines workflow, which it starts if none runs. */
    reportAccountLines: async (input: { accountId: string; report: LinesReport }): Promise<void> => {
      await client.workflow.signalWithStart(accountLinesWorkflow, {
        ...accountLinesStart(input.accountId, Context.current().info.taskQueue),
        signal: linesWantedSignal,
        signalArgs: [input.report],
      });
    },

    takeContacts: async (input: {
      campaignId: string;
      batch: number;
      offset: number;
      limit: number;
    }): Promise<TakeResult> => {
      const { batch } = await batchAt(input.campaignId, input.batch);
      if (!batch) return { kind: 'none' };
      return {
        kind: 'refs',
        refs: batch.refs.slice(input.offset, input.offset + input.limit),
        batchSize: batch.refs.length,
        delta: batch.delta,
      };
    },

    settleCampaign: async (input: {
      campaignId: string;
      batchesTaken: number;
      status: 'completed' | 'cancelled';
      counts: CampaignCounters;
    }): Promise<boolean> => {
      const now = new Date();
      return store.settleCampaign(input.campaignId, input.batchesTaken, {
        status: input.status,
        counts: input.counts,
        ...(input.status === 'completed' ? { completedAt: now } : { cancelledAt: now }),
      });
    },

    /**
     * Marks cancelled every pending contact the campaign has not started: those it holds, and
     * those from the cursor on (only these are counted in `cancelled`; the campaign counts its hold).
     */
    cancelUntakenContacts: async (input: {
      campaignId: string;
      batch: number;
      offset: number;
      held?: string[];
    }): Promise<{ cancelled: number; batchesCommitted: number; delta: CountsDelta }> => {
      if (input.held?.length) {
        await store.updateContacts(input.held, { status: 'cancelled', finishedAt: new Date() }, ['pending']);
      }
      const delta: Required<CountsDelta> = { total: 0, contacts: {} };
      let cancelled = 0;
      let index = input.batch;
      for (;;) {
        const { batch, committed } = await batchAt(input.campaignId, index);
        if (!batch) return { cancelled, batchesCommitted: committed, delta };
        if (index > input.batch || input.offset === 0) {
          // Its counts were never added: the workflow had not reached this batch.
          delta.total += batch.delta.total ?? 0;
          for (const [s, n] of Object.entries(batch.delta.contacts ?? {})) {
            const status = s as ContactStatus;
            delta.contacts[status] = (delta.contacts[status] ?? 0) + n;
          }
        }
        const refs = batch.refs.slice(index === input.batch ? input.offset : 0);
        cancelled += await store.updateContacts(
          refs.map((r) => r.contactId),
          { status: 'cancelled', finishedAt: new Date() },
          ['pending'],
          (done) => Context.current().heartbeat({ index, done }),
        );
        index += 1;
      }
    },

    /**
     * Starts contact workflows outside the campaign's run, so that their ends add no event to it:
     * a run winding down starts its contacts here, and its continue-as-new is then not refused for
     * their ends. For each, whether this request started it. Retried, a start the request made
     * before is known by the token in its memo; any other workflow under the id is not ours.
     */
    startContactWorkflows: async (input: {
      taskQueue: string;
      token: string;
      contacts: ContactWorkflowInput[];
    }): Promise<boolean[]> =>
      Promise.all(
        input.contacts.map(async (contact) => {
          const workflowId = contactWorkflowId(contact.campaignId, contact.contact.contactId);
          try {
            await client.workflow.start(contactWorkflow, {
              taskQueue: input.taskQueue,
              workflowId,
              args: [contact],
              workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
              typedSearchAttributes: contactStartAttributes(
                contact.campaignId,
                contact.contact.contactId,
                contact.permitted === true,
              ),
              memo: { [START_TOKEN]: input.token },
            });
            return true;
          } catch (err) {
            if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
            const { memo } = await client.workflow.getHandle(workflowId).describe();
            return memo?.[START_TOKEN] === input.token;
          }
        }),
      ),

    /** Asks every running contact workflow of the campaign to stop; returns how many were asked. */
    cancelContactWorkflows: async (input: { campaignId: string }): Promise<number> => {
      const query = `${CampaignIdKey.name} = "${input.campaignId}" AND WorkflowType = "contactWorkflow" AND ExecutionStatus = "Running"`;
      const pending = new Set<Promise<void>>();
      let asked = 0;
      for await (const execution of client.workflow.list({ query })) {
        const cancel: Promise<void> = client.workflow
          .getHandle(execution.workflowId)
          .cancel()
          .then(
            () => undefined,
            (err: unknown) => log.debug({ err, workflowId: execution.workflowId }, 'cancel not needed'),
          )
          .finally(() => pending.delete(cancel));
        pending.add(cancel);
        asked += 1;
        if (pending.size >= CANCEL_CONCURRENCY) await Promise.race(pending);
        Context.current().heartbeat(asked);
      }
      await Promise.all(pending);
      return asked;
    },

    dial: async (input: DialInput): Promise<DialResult> => {
      // Never longer than a contact is started ahead: a worker whose clock runs behind the server's,
      // or a test server that skips time, does not hold a dial past its time by that difference.
      const early = Math.min((input.notBefore ?? 0) - Date.now(), START_AHEAD_MAX_MS);
      if (early > 0) {
        if (waitingDials >= settings.waitingDials) return { status: 'early' };
        waitingDials += 1;
        try {
          await Context.current().sleep(early);
        } finally {
          waitingDials -= 1;
        }
      }
      if (windowClosed(input.notAfter)) return { status: 'outside_window' };
      const campaign = await campaignForDial(input.campaignId);
      if (!campaign || campaign.status === 'cancelled' || campaign.deletedAt) {
        return { status: 'blocked', reason: 'campaign_inactive' };
      }
      if (await dnc.isBlocked(input.accountId, input.campaignId, input.phone)) {
        return { status: 'blocked', reason: 'dnc' };
      }
      const key = dialIdempotencyKey(input.workflowId, input.attempt);
      const call = await store.beginCall({
        _id: key,
        campaignId: input.campaignId,
        contactId: input.contactId,
        accountId: input.accountId,
        attempt: input.attempt,
        phone: input.phone,
        status: 'placing',
        createdAt: new Date(),
      });
      if (call.callId)
        return {
          status: 'placed',
          callId: call.callId,
          placedAt: (call.placedAt ?? call.createdAt).getTime(),
        };

      const context: PlaceCallRequest['context'] = {};
      if (input.name) context.name = input.name;
      if (campaign.agentId) context.agentId = campaign.agentId;
      if (input.isContextBasedCall) {
        const contact = await store.getContact(input.contactId);
        if (contact?.customData) context.custom_data = contact.customData as PlaceCallRequest['context'];
      }
      // The reads above can take long while MongoDB is slow; a call record left `placing` here is
      // taken up by the next window's dial of this attempt, which goes out under the same key, or
      // ended `not_placed` by recordContactEnd if the contact ends first.
      if (windowClosed(input.notAfter)) return { status: 'outside_window' };
      try {
        const placed = await dialer.placeCall(
          {
            idempotencyKey: key,
            to: input.phone,
            ...(campaign.fromNumber && { from: campaign.fromNumber }),
            context,
            callbackUrl: settings.callbackUrl,
            metadata: {
              workflowId: input.workflowId,
              campaignId: input.campaignId,
              contactId: input.contactId,
              accountId: input.accountId,
              attempt: input.attempt,
            },
          },
          { notAfter: input.notAfter },
        );
        return { status: 'placed', callId: placed.callId, placedAt: Date.now() };
      } catch (err) {
        if (err instanceof WindowClosedError) return { status: 'outside_window' };
        if (err instanceof DialerError && !err.retryable) {
          await store.updateCall(key, { status: 'not_placed', reason: 'provider_rejected' });
          throw ApplicationFailure.nonRetryable(err.message, 'ProviderRejected');
        }
        throw err;
      }
    },

    /** One write for the call, one for the contact: the attempt's whole record. */
    recordAttempt: async (input: RecordAttemptInput): Promise<void> => {
      const now = new Date();
      const final = input.nextStatus !== 'retry_scheduled';
      await Promise.all([
        store.updateCall(input.key, {
          status: input.callId ? 'ended' : 'not_placed',
          outcome: input.outcome,
          endedAt: now,
          optOut: input.optOut,
          ...(input.callId && { callId: input.callId }),
          ...(input.placedAt !== undefined && { placedAt: new Date(input.placedAt) }),
          ...(input.answeredAt !== undefined && { answeredAt: new Date(input.answeredAt) }),
          ...(input.reason && { reason: input.reason }),
          ...(input.durationS !== undefined && { durationS: input.durationS }),
        }),
        store.updateContact(
          input.contactId,
          {
            status: input.nextStatus,
            attempts: input.attempt,
            lastOutcome: input.outcome,
            ...(input.callId && { lastCallId: input.callId }),
            ...(input.nextAttemptAt !== undefined && { nextAttemptAt: new Date(input.nextAttemptAt) }),
            ...(final && { finishedAt: now }),
          },
          { unset: input.nextAttemptAt === undefined ? ['nextAttemptAt'] : [] },
        ),
      ]);
      if (input.optOut) {
        await dnc.add(input.accountId, [input.phone], {
          source: 'opt_out',
          reason: `opted out on call ${input.callId ?? input.key}`,
        });
      }
    },

    recordContactEnd: async (input: {
      contactId: string;
      status: ContactStatus;
      reason?: string;
      /** An attempt the contact ends without having sent: its record must not stay `placing`. */
      unsentKey?: string;
    }): Promise<void> => {
      const finishedAt = new Date();
      await Promise.all([
        store.updateContact(
          input.contactId,
          { status: input.status, finishedAt, ...(input.reason && { endReason: input.reason }) },
          { unset: ['nextAttemptAt'] },
        ),
        input.unsentKey && store.abandonCall(input.unsentKey, input.reason ?? input.status, finishedAt),
      ]);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
