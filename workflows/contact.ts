import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ActivityFailure } from '@temporalio/common';
import type { Activities, DialInput, DialResult } from '../activities';
import type { ContactRef } from '../src/campaigns/model';
import { DEFAULT_CALLING_HOURS, nextDialTime, windowStatusAt } from '../src/domain/calling-window';
import { contactDetails } from '../src/domain/details';
import { campaignWorkflowId, dialIdempotencyKey } from '../src/domain/ids';
import { attemptBudget, decideAfterAttempt } from '../src/domain/redial';
import { CallOutcomeKey, ContactStatusKey } from '../src/domain/search-attributes';
import { START_AHEAD_MAX_MS } from '../src/domain/starts';
import { isFinalContactStatus, type CallOutcome, type ContactStatus } from '../src/domain/status';
import {
  callEventSignal,
  contactStateQuery,
  contactTransitionSignal,
  permitSignal,
  reportEndBySignal,
  type CallEvent,
  type ContactPolicy,
  type ContactTransition,
  type PermitAnswer,
} from './messages';

export interface ContactWorkflowInput {
  campaignId: string;
  accountId: string;
  contact: ContactRef;
  policy: ContactPolicy;
  /** The campaign gave a dial permit with the start (the contact was due and a line was free). */
  permitted?: boolean;
  /**
   * The campaign run that started this contact learns its end from its result, which saves a
   * signal and a workflow task on each side. It holds only while the contact goes from its dial to
   * its end: a contact that reports anything but `in_call` first, or that the campaign asks to
   * (before it continues as new), reports its end by signal, to whichever run is current.
   */
  endByResult?: boolean;
  /**
   * The campaign started this contact shortly before its scheduled time, with its permit: it
   * sleeps until then still holding the permit, and tells the campaign nothing before its dial.
   */
  startedAhead?: boolean;
}

export interface ContactResult {
  status: ContactStatus;
  attempts: number;
  lastOutcome?: CallOutcome;
  /** The final transition, when the campaign learns it from this result and not by signal. */
  end?: ContactTransition;
}

/** Bookkeeping writes run as local activities: no round trip through the server to schedule them. */
const { recordAttempt, recordContactEnd } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Statuses worth a search-attribute update: the long waits an operator filters on, and the ends. */
const VISIBLE: readonly ContactStatus[] = ['scheduled', 'waiting_window', 'retry_scheduled'];

/**
 * One contact of a campaign, from its first dial to its final state: sleeps until the contact's
 * scheduled time moved into its calling window, asks the campaign for a dial permit (unless one
 * came with its start), dials, waits for the outcome, records the attempt and follows the redial
 * policy. Every state change the campaign counts is reported to it by workflow id (not run id), so
 * the report reaches whichever run of the campaign is current.
 */
export async function contactWorkflow(input: ContactWorkflowInput): Promise<ContactResult> {
  const { campaignId, contact, policy } = input;
  const workflowId = workflowInfo().workflowId;
  const hours = policy.callingHours ?? DEFAULT_CALLING_HOURS;
  const budget = contact.maxAttempts ?? attemptBudget(policy.redial);
  const campaign = getExternalWorkflowHandle(campaignWorkflowId(campaignId));

  // The provider answers within its own 10 s timeout; a dial stuck longer died with its worker.
  const dialTimeoutMs = 15_000;
  // A provider that is down must not hold a dial permit forever: after these tries the attempt fails.
  const retry = { initialInterval: '1 second', maximumInterval: '20 seconds', maximumAttempts: 8 } as const;
  const { dial } = policy.dialLocally
    ? // A local dial may first wait for its time (`notBefore`), at most the campaign's lead.
      proxyLocalActivities<Activities>({ startToCloseTimeout: dialTimeoutMs + START_AHEAD_MAX_MS, retry })
    : proxyActivities<Activities>({
        startToCloseTimeout: dialTimeoutMs,
        retry,
        taskQueue: policy.dialTaskQueue,
      });

  // Fields the handlers read or write live in one object, so that the main flow always sees their latest value.
  const state: {
    status: ContactStatus;
    attempts: number;
    lastOutcome?: CallOutcome;
    nextDialAt?: number;
    permit?: PermitAnswer;
  } = { status: input.permitted ? 'dialing' : 'pending', attempts: contact.attempts };
  /** Whether the permit the campaign counts this contact as holding is still unused. */
  let holdsPermit = input.permitted === true;
  let endByResult = input.endByResult === true;
  /**
   * The key of an attempt whose dial came back without sending it (its window closed, or the
   * campaign or number became blocked): its call record may still say `placing`.
   */
  let unsentKey: string | undefined;
  const events = new Map<number, { inProgress: boolean; answeredAt?: number; completed?: CallEvent }>();

  setHandler(contactStateQuery, () => ({
    contactId: contact.contactId,
    status: state.status,
    attempts: state.attempts,
    lastOutcome: state.lastOutcome,
    nextDialAt: state.nextDialAt,
  }));
  setHandler(permitSignal, (answer) => {
    state.permit = answer;
  });
  setHandler(reportEndBySignal, () => {
    endByResult = false;
  });
  setHandler(callEventSignal, (event) => {
    // Only the first outcome of each attempt counts; a provider's repeated callback changes nothing.
    const seen = events.get(event.attempt) ?? { inProgress: false };
    if (event.event === 'completed') seen.completed ??= event;
    else if (!seen.inProgress) {
      seen.inProgress = true;
      seen.answeredAt = Date.now();
    }
    events.set(event.attempt, seen);
  });

  /** What the Web UI shows of this contact; set at every change of state, before each wait. */
  const showDetails = () => {
    setCurrentDetails(
      contactDetails({
        phone: contact.phone,
        status: state.status,
        attempts: state.attempts,
        budget,
        nextDialAt: state.nextDialAt,
        lastOutcome: state.lastOutcome,
      }),
    );
  };

  /**
   * Moves to `to` and tells the campaign (which counts, queues for a permit, or takes one back).
   * Waits for delivery, so that the campaign sees this contact's changes in the order they happened.
   */
  const report = async (to: ContactStatus, extra: Pick<ContactTransition, 'outcome' | 'placed'> = {}) => {
    const t: ContactTransition = { contactId: contact.contactId, from: state.status, to, ...extra };
    state.status = to;
    showDetails();
    holdsPermit = false;
    if (to !== 'in_call') endByResult = false;
    if (VISIBLE.includes(to) || isFinalContactStatus(to)) {
      upsertSearchAttributes([{ key: ContactStatusKey, value: to }]);
    }
    try {
      await campaign.signal(contactTransitionSignal, t);
    } catch (err) {
      // A campaign that has ended no longer counts; the contact's record is in MongoDB regardless.
      log.warn('campaign did not take the transition', { error: String(err), transition: t });
    }
  };

  /**
   * The last report: in the result, while the run that started this contact awaits it; else by a
   * signal awaited although nothing follows it, since a signal still unsent when its sender closes
   * may never be delivered, and the campaign would wait for this contact forever.
   */
  const finish = async (
    final: ContactStatus,
    extra: Pick<ContactTransition, 'outcome' | 'placed'> = {},
  ): Promise<ContactResult> => {
    const result = { status: final, attempts: state.attempts, lastOutcome: state.lastOutcome };
    if (!endByResult) {
      await report(final, extra);
      return result;
    }
    const end: ContactTransition = { contactId: contact.contactId, from: state.status, to: final, ...extra };
    state.status = final;
    showDetails();
    upsertSearchAttributes([
      { key: ContactStatusKey, value: final },
      ...(state.lastOutcome ? [{ key: CallOutcomeKey, value: state.lastOutcome }] : []),
    ]);
    return { ...result, end };
  };

  const waitForPermit = async () => {
    for (;;) {
      state.permit = undefined;
      await report('pending');
      await condition(() => state.permit !== undefined);
      const answer = state.permit as PermitAnswer | undefined;
      if (answer?.granted !== false) return;
      await sleep(answer.retryAfterMs);
    }
  };

  const end = async (final: ContactStatus, reason?: string): Promise<ContactResult> => {
    await recordContactEnd({ contactId: contact.contactId, status: final, reason, unsentKey });
    return await finish(final);
  };

  /** A dial, its failure an outcome like any other. */
  const placeCall = async (dialInput: DialInput): Promise<DialResult> => {
    try {
      return await dial(dialInput);
    } catch (err) {
      if (isCancellation(err)) throw err;
      return { status: 'failed', reason: failureReason(err as ActivityFailure) };
    }
  };

  try {
    let dueAt = policy.isScheduledCall && contact.scheduledAt ? contact.scheduledAt : Date.now();
    for (;;) {
      /** Set when the dial is made before its time and waits for it in the worker. */
      let notBefore: number | undefined;
      const wantedAt = Math.max(dueAt, Date.now());
      const dialAt = nextDialTime(wantedAt, hours, contact.timezones);
      if (dialAt === null) return await end('failed', 'no_calling_window');
      if (dialAt > Date.now()) {
        state.nextDialAt = dialAt;
        const sleeping: ContactStatus =
          dialAt > wantedAt
            ? 'waiting_window'
            : state.attempts === contact.attempts
              ? 'scheduled'
              : 'retry_scheduled';
        // Started ahead, it keeps its permit through the short wait for its time; else it gives it back.
        const keepsPermit = input.startedAhead === true && holdsPermit && dialAt === wantedAt;
        if (
          keepsPermit &&
          policy.dialLocally &&
          dialAt - Date.now() <= START_AHEAD_MAX_MS &&
          patched('contact-dial-waits-for-its-time')
        ) {
          notBefore = dialAt;
          showDetails();
        } else {
          if (!keepsPermit && sleeping !== state.status) await report(sleeping);
          else showDetails();
          await sleep(dialAt - Date.now());
          state.nextDialAt = undefined;
        }
      }

      if (!holdsPermit) await waitForPermit();
      holdsPermit = false;
      state.status = 'dialing';
      const callingWindow = windowStatusAt(notBefore ?? Date.now(), hours, contact.timezones);
      if (!callingWindow.open) {
        // The window closed while we queued for the permit: give it back and sleep again.
        dueAt = Date.now();
        await report('waiting_window', { placed: false });
        continue;
      }

      state.attempts += 1;
      showDetails();
      const attempt = state.attempts;
      const key = dialIdempotencyKey(workflowId, attempt);
      unsentKey = undefined;
      const dialInput: DialInput = {
        campaignId,
        accountId: input.accountId,
        contactId: contact.contactId,
        workflowId,
        attempt,
        phone: contact.phone,
        ...(contact.name !== undefined && { name: contact.name }),
        isContextBasedCall: policy.isContextBasedCall,
        ...(callingWindow.closesAt !== null && { notAfter: callingWindow.closesAt }),
      };
      let result = await placeCall({ ...dialInput, ...(notBefore !== undefined && { notBefore }) });
      // Its worker had no room for another waiting dial: the contact sleeps to its time instead,
      // and dials then without waiting, which is never early.
      while (result.status === 'early') {
        const early = (notBefore ?? 0) - Date.now();
        if (early > 0) await sleep(early);
        result = await placeCall(dialInput);
      }
      state.nextDialAt = undefined;

      if (result.status === 'outside_window' || result.status === 'blocked') unsentKey = key;
      if (result.status === 'outside_window') {
        // The dial ran late (retries, a turn under a cap) and its window closed before the call
        // went out: the attempt is made in the next window, under the same idempotency key.
        state.attempts -= 1;
        dueAt = Date.now();
        await report('waiting_window', { placed: false });
        continue;
      }
      if (result.status === 'blocked') {
        state.attempts -= 1;
        return await end(result.reason === 'dnc' ? 'skipped_dnc' : 'cancelled', result.reason);
      }

      let outcome: CallOutcome;
      let reason: string | undefined;
      let event: CallEvent | undefined;
      if (result.status === 'placed') {
        const deadline = Date.now() + policy.outcomeTimeoutS * 1000;
        const seen = () => events.get(attempt);
        await condition(
          () => seen()?.completed !== undefined || seen()?.inProgress === true,
          deadline - Date.now(),
        );
        if (seen()?.inProgress && !seen()?.completed) {
          await report('in_call');
          await condition(() => seen()?.completed !== undefined, Math.max(0, deadline - Date.now()));
        }
        event = seen()?.completed;
        outcome = event?.outcome ?? 'failed';
        if (!event) reason = 'timeout';
      } else {
        outcome = 'failed';
        reason = result.reason;
      }

      state.lastOutcome = outcome;
      const decision = decideAfterAttempt(policy.redial, outcome, attempt, budget);
      const next: ContactStatus = decision.final ? decision.status : 'retry_scheduled';
      const nextAttemptAt = decision.final ? undefined : Date.now() + decision.retryAfterS * 1000;
      const answeredAt = events.get(attempt)?.answeredAt;
      await recordAttempt({
        key,
        accountId: input.accountId,
        contactId: contact.contactId,
        phone: contact.phone,
        attempt,
        ...(result.status === 'placed' && { callId: result.callId, placedAt: result.placedAt }),
        ...(answeredAt !== undefined && { answeredAt }),
        outcome,
        reason,
        durationS: event?.durationS,
        optOut: event?.optOut ?? false,
        nextStatus: next,
        nextAttemptAt,
      });
      // Ending by result, the outcome goes with the final status in one upsert.
      if (!(endByResult && isFinalContactStatus(next))) {
        upsertSearchAttributes([{ key: CallOutcomeKey, value: outcome }]);
      }
      const attemptEnd = { outcome, placed: result.status === 'placed' };
      if (isFinalContactStatus(next)) return await finish(next, attemptEnd);
      await report(next, attemptEnd);
      dueAt = nextAttemptAt ?? Date.now();
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // The campaign was cancelled: record it and tell the campaign, even though this scope is cancelled.
    return await CancellationScope.nonCancellable(() => end('cancelled', 'campaign_cancelled'));
  }
}

function failureReason(failure: ActivityFailure): string {
  const cause = failure.cause as { type?: string } | undefined;
  return cause?.type === 'ProviderRejected' ? 'provider_rejected' : 'provider_unavailable';
}
