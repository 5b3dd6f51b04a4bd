import {
  ApplicationFailure,
  type ChildWorkflowHandle,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  startChild,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ContactRef, CountsDelta } from '../src/campaigns/model';
import { finishedContacts, type CampaignCounters } from '../src/domain/counters';
import { DEFAULT_CALLING_HOURS, isInsideWindow } from '../src/domain/calling-window';
import { campaignDetails } from '../src/domain/details';
import { estimateCompletion } from '../src/domain/estimate';
import { HISTORY_EVENTS_LIMIT, historyStep } from '../src/domain/history';
import { START_AHEAD_MAX_MS, STARTS_PER_TASK } from '../src/domain/starts';
import { contactWorkflowId } from '../src/domain/ids';
import { contactStartAttributes } from '../src/domain/search-attributes';
import { isFinalContactStatus, type ContactStatus } from '../src/domain/status';
import { contactWorkflow, type ContactWorkflowInput } from './contact';
import {
  accountCapSetSignal,
  batchesAddedSignal,
  cancelUpdate,
  contactTransitionSignal,
  linesGrantedSignal,
  pauseUpdate,
  permitSignal,
  reportEndBySignal,
  resumeUpdate,
  statusQuery,
  type CampaignPlan,
  type CampaignRunStatus,
  type CampaignSnapshot,
  type ContactTransition,
  type LinesGrant,
} from './messages';

/** Contacts fetched per activity call: small enough to keep each payload well under 256 KB. */
const PAGE_SIZE = 200;
/** A queue for permits longer than this is told to come back later, so the run's state stays small. */
const QUEUE_LIMIT = 2000;
/** How often, while cancelling, the open contacts are asked again to stop. */
const CANCEL_SWEEP_INTERVAL_MS = 10_000;
/** A scheduled contact due within this long is held by the campaign, unstarted, until just before its time. */
const HOLD_HORIZON_MS = 10 * 60_000;
/** Held contacts at most: the hold is carried to the next run, whose input it must fit. */
const HOLD_LIMIT = 2000;
/**
 * A held contact starts this long before its time at the latest, with its dial permit, and waits
 * the rest itself: its dial then waits on its own worker only, not on a campaign task and a child
 * start. Within this lead it comes before contacts that are due now.
 */
const START_AHEAD_MS = 3000;
/** The campaign wakes for held contacts at most this often; each wake starts all that are near. */
const HOLD_TICK_MS = 1000;

export interface CampaignWorkflowInput {
  campaignId: string;
  /** State handed over by the previous run when continuing as new. */
  carry?: CampaignCarry;
}

/** Everything one run hands to the next; bounded by QUEUE_LIMIT and the start window. */
export interface CampaignCarry {
  plan: CampaignPlan;
  status: CampaignRunStatus;
  pausedAt?: number;
  counters: CampaignCounters;
  /** Position of the next contact to start: batch index, and offset within the batch. */
  cursor: Cursor;
  /** Batches at or after this index still have their counts to add when taken. */
  deltasFrom: number;
  open: number;
  starting: string[];
  queue: string[];
  live: string[];
  /** Scheduled contacts taken but not started yet, by scheduled time; runs from before holding lack it. */
  held?: ContactRef[];
  /**
   * Every committed batch was taken when the last run ended, so the next run need not read for
   * more before it starts its held contacts (a batch added later says so by signal, to either run).
   */
  allTaken?: boolean;
  /** The last grant of lines applied, under an account-wide cap. */
  lines?: LinesGrant;
  finishedThisRun: number;
  runStartedAt: number;
  cancelRequested: boolean;
}

interface Cursor {
  batch: number;
  offset: number;
}

/** A fetched contact with the cursor just past it. */
interface Buffered {
  ref: ContactRef;
  after: Cursor;
}

export interface CampaignResult {
  status: 'completed' | 'cancelled';
  counters: CampaignCounters;
}

const {
  loadCampaignPlan,
  takeContacts,
  settleCampaign,
  cancelUntakenContacts,
  cancelContactWorkflows,
  reportAccountLines,
} = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** A local activity: the contacts it starts do not wait on a task queue round trip. */
const { startContactWorkflows } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/**
 * A campaign from start to end: takes contacts batch by batch out of MongoDB, starts one contact
 * workflow per contact (abandoned on close, so they outlive continue-as-new), grants dial permits
 * so that no more than `maxConcurrentCalls` calls are live, keeps the counters, and answers the
 * `status` query. Pause stops new permits; resume grants again; cancel stops every contact and
 * marks the rest cancelled. It completes when every contact is final.
 */
export async function campaignWorkflow(input: CampaignWorkflowInput): Promise<CampaignResult> {
  const { campaignId } = input;
  const inbox: ContactTransition[] = [];
  let noMoreBatches = input.carry?.allTaken === true;
  let wake = false;
  /** Set once the run's state is loaded; handlers registered before it wait for it (or, queries, say so). */
  const controls: Partial<Record<'status' | 'pause' | 'resume' | 'cancel', () => CampaignSnapshot>> = {};
  const whenReady = async (control: keyof typeof controls) => {
    await condition(() => controls[control] !== undefined);
    return (controls[control] as () => CampaignSnapshot)();
  };

  // Handlers first, so that nothing sent while the plan loads is lost or refused.
  setHandler(statusQuery, () => {
    if (!controls.status)
      throw ApplicationFailure.create({ type: 'CampaignStarting', message: 'campaign is starting' });
    return controls.status();
  });
  setHandler(contactTransitionSignal, (t) => {
    inbox.push(t);
  });
  /** Lines of the account's cap granted to this campaign (none until the account grants some). */
  let grant: LinesGrant = input.carry?.lines ?? { lines: 0, seq: 0 };
  setHandler(linesGrantedSignal, (g) => {
    if (g.seq <= grant.seq) return;
    grant = g;
    wake = true;
  });
  let joinedAccountCap = false;
  let askedForLines = false;
  setHandler(accountCapSetSignal, () => {
    joinedAccountCap = true;
    askedForLines = true;
    wake = true;
  });
  setHandler(batchesAddedSignal, () => {
    noMoreBatches = false;
    wake = true;
  });
  setHandler(pauseUpdate, () => whenReady('pause'));
  setHandler(resumeUpdate, () => whenReady('resume'));
  setHandler(cancelUpdate, () => whenReady('cancel'));

  const state: CampaignCarry = input.carry ?? freshState(await loadCampaignPlan(campaignId));
  const { plan } = state;
  const starting = new Set(state.starting);
  const live = new Set(state.live);
  const queue: string[] = [...state.queue];
  const queued = new Set(queue);
  const inFlight = new Set<Promise<unknown>>();
  /** Contacts started by this run that will report their end by their result, not by signal. */
  const endingByResult = new Set<string>();
  // Histories from before contacts could end by result replay without it.
  const contactsMayEndByResult = patched('contact-ends-by-result');
  const held: ContactRef[] = [...(state.held ?? [])];
  // Histories from before the campaign held scheduled contacts replay without holding.
  const contactsMayBeHeld = patched('campaign-holds-scheduled-contacts');
  // Histories from before runs wound down continue as new as soon as they near the limit.
  const mayWindDown = patched('campaign-winds-down');
  // Histories from before starts went in steps asked for every free line's contact at once.
  const startsInSteps = patched('campaign-starts-in-steps');
  // Histories from before a run winding down started its contacts outside it started them all as children.
  const startsOutsideWhenWindingDown = patched('campaign-starts-outside-when-winding-down');
  // Histories from before a run continued in a task of its own went on starting contacts once it was
  // to continue, and continued in the task that took a local activity's result.
  const continuesFirst = patched('campaign-continues-in-a-task-of-its-own');
  /**
   * Contacts to start outside this run, collected while the loop decides and started together.
   * A child's end is an event in its parent's history, and the server refuses a continue-as-new
   * while events keep arriving (the SDK then replays the whole run): the children of a run
   * winding down would hold its continue-as-new off until the last of them ended.
   */
  let outside: ContactWorkflowInput[] = [];
  let outsideRequests = 0;
  /** The workflow task (its history length) in which the last outside start's result came back. */
  let outsideAnsweredIn = 0;
  /**
   * Contacts asked to start in the current workflow task, which its history length names. The
   * answer to each start wakes the loop, which then asks for more.
   */
  const startsInTask = { task: 0, starts: 0 };
  const startsThisTask = () => {
    const task = workflowInfo().historyLength;
    if (task !== startsInTask.task) Object.assign(startsInTask, { task, starts: 0 });
    return startsInTask.starts;
  };
  const mayStartMore = () => !startsInSteps || startsThisTask() < STARTS_PER_TASK;
  /** Under its account's cap: from the plan, or since the operator set one while the campaign ran. */
  const accountCapped = () => plan.accountCapped === true || joinedAccountCap;
  /** Calls this campaign may have live: its own cap, and under an account-wide cap its grant. */
  const lineLimit = () =>
    accountCapped() ? Math.min(plan.maxConcurrentCalls, grant.lines) : plan.maxConcurrentCalls;
  /** When the pending wake-up for held contacts fires, if one is pending. */
  let alarmAt: number | undefined;
  let buffer: Buffered[] = [];

  const snapshot = (): CampaignSnapshot => ({
    campaignId,
    status: state.status,
    startedAt: plan.startedAt,
    pausedAt: state.pausedAt,
    counters: state.counters,
    liveCalls: live.size,
    maxConcurrentCalls: plan.maxConcurrentCalls,
    ...(accountCapped() && { accountLines: grant.lines }),
    openContacts: state.open,
    estimatedCompletionAt: estimateCompletion({
      now: Date.now(),
      remaining: state.counters.total - finishedContacts(state.counters),
      finishedThisRun: state.finishedThisRun,
      runStartedAt: state.runStartedAt,
      maxConcurrentCalls: lineLimit(),
      latestScheduledAt: plan.latestScheduledAt,
    }),
    historyLength: workflowInfo().historyLength,
  });

  Object.assign(controls, {
    status: snapshot,
    pause: () => {
      if (state.status === 'running') {
        state.status = 'paused';
        state.pausedAt = Date.now();
      }
      return snapshot();
    },
    resume: () => {
      if (state.status === 'paused') {
        state.status = 'running';
        state.pausedAt = undefined;
        wake = true;
      }
      return snapshot();
    },
    cancel: () => {
      if (state.status === 'running' || state.status === 'paused') {
        state.status = 'cancelling';
        state.cancelRequested = true;
        wake = true;
      }
      return snapshot();
    },
  });

  const historyNext = () => {
    const info = workflowInfo();
    return historyStep({
      length: info.historyLength,
      suggested: info.continueAsNewSuggested,
      endingByResult: endingByResult.size,
      limit: plan.historyLimit ?? HISTORY_EVENTS_LIMIT,
      mayWindDown,
    });
  };

  /** What the Web UI shows of this run while it waits for its next signal, child or timer. */
  const showDetails = (step = historyNext()) => {
    setCurrentDetails(
      campaignDetails({
        status: state.status,
        total: state.counters.total,
        finished: finishedContacts(state.counters),
        liveCalls: live.size,
        lines: lineLimit(),
        queued: queue.length,
        held: held.length,
        open: state.open,
        historyLength: workflowInfo().historyLength,
        windingDown: step === 'wind-down',
      }),
    );
  };

  /** Keeps an operation's promise until it settles; everything in flight is awaited before continue-as-new. */
  const track = (promise: Promise<unknown>) => {
    const tracked = promise.finally(() => {
      inFlight.delete(tracked);
      wake = true;
    });
    inFlight.add(tracked);
  };

  const move = (from: ContactStatus, to: ContactStatus, n = 1) => {
    state.counters.contacts[from] -= n;
    state.counters.contacts[to] += n;
  };

  const apply = (t: ContactTransition) => {
    starting.delete(t.contactId);
    // Any report but `in_call` means the contact reports its end by signal (it says so too).
    if (t.to !== 'in_call') endingByResult.delete(t.contactId);
    if (t.from !== t.to) move(t.from, t.to);
    if (t.outcome) state.counters.calls[t.outcome] += 1;
    if (t.placed) state.counters.calls.placed += 1;
    if (t.from === 'dialing' || t.from === 'in_call') {
      if (t.to !== 'dialing' && t.to !== 'in_call') live.delete(t.contactId);
    }
    if (isFinalContactStatus(t.to)) {
      state.open -= 1;
      state.finishedThisRun += 1;
      return;
    }
    if (t.to === 'pending' && !queued.has(t.contactId) && !live.has(t.contactId)) {
      if (queue.length >= QUEUE_LIMIT) {
        const handle = getExternalWorkflowHandle(contactWorkflowId(campaignId, t.contactId));
        track(handle.signal(permitSignal, { granted: false, retryAfterMs: 30_000 }).catch(ignoreGone));
        return;
      }
      queue.push(t.contactId);
      queued.add(t.contactId);
    }
  };

  const applyDelta = (delta: CountsDelta) => {
    state.counters.total += delta.total ?? 0;
    for (const [s, n] of Object.entries(delta.contacts ?? {}))
      state.counters.contacts[s as ContactStatus] += n;
  };

  const grantPermits = () => {
    while (state.status === 'running' && live.size < lineLimit() && queue.length > 0) {
      const contactId = queue.shift() as string;
      queued.delete(contactId);
      live.add(contactId);
      move('pending', 'dialing');
      const handle = getExternalWorkflowHandle(contactWorkflowId(campaignId, contactId));
      track(
        handle.signal(permitSignal, { granted: true }).catch((err: unknown) => {
          // The contact's workflow is gone (terminated by an operator): take the permit back.
          log.warn('permit not delivered; releasing it', { contactId, error: String(err) });
          if (live.delete(contactId)) move('dialing', 'failed');
          state.open -= 1;
        }),
      );
    }
  };

  /**
   * Children started without a permit that have not said yet whether they sleep or want one; they
   * are bounded so that a campaign of sleepers starts at a steady pace.
   */
  const window = Math.min(1000, Math.max(100, plan.maxConcurrentCalls * 2));
  const hours = plan.policy.callingHours ?? DEFAULT_CALLING_HOURS;
  /** Whether a contact may be dialed right now: its scheduled time has come and its window is open. */
  const dueNow = (contact: ContactRef) => {
    const now = Date.now();
    const scheduled =
      plan.policy.isScheduledCall && contact.scheduledAt !== undefined && contact.scheduledAt > now;
    return !scheduled && isInsideWindow(now, hours, contact.timezones);
  };

  /** Where the next fetch reads: just past the last buffered contact, or the cursor. */
  const fetchPosition = (): Cursor => buffer.at(-1)?.after ?? state.cursor;

  const refill = async (): Promise<void> => {
    while (buffer.length === 0 && !noMoreBatches) {
      startOutside();
      const at = fetchPosition();
      const page = await takeContacts({ campaignId, ...at, limit: PAGE_SIZE });
      if (page.kind === 'none') {
        noMoreBatches = true;
        return;
      }
      if (at.offset === 0 && at.batch >= state.deltasFrom) {
        applyDelta(page.delta);
        state.deltasFrom = at.batch + 1;
      }
      buffer = page.refs.map((ref, i) => {
        const offset = at.offset + i + 1;
        return {
          ref,
          after: offset >= page.batchSize ? { batch: at.batch + 1, offset: 0 } : { batch: at.batch, offset },
        };
      });
      if (page.refs.length === 0) state.cursor = { batch: at.batch + 1, offset: 0 };
    }
  };

  /**
   * Whether the campaign holds a contact rather than start it asleep: it is scheduled within the
   * horizon, its calling window is open at that time, and the hold has room.
   */
  const holdable = (contact: ContactRef) => {
    const at = contact.scheduledAt;
    const now = Date.now();
    return (
      contactsMayBeHeld &&
      plan.policy.isScheduledCall &&
      at !== undefined &&
      at > now &&
      at - now <= HOLD_HORIZON_MS &&
      held.length < HOLD_LIMIT &&
      isInsideWindow(at, hours, contact.timezones)
    );
  };

  /** Keeps the hold in scheduled order; uploads are mostly in that order already, so it looks from the end. */
  const hold = (contact: ContactRef) => {
    const at = contact.scheduledAt ?? 0;
    let i = held.length;
    while (i > 0 && (held[i - 1]?.scheduledAt ?? 0) > at) i -= 1;
    held.splice(i, 0, contact);
    move('pending', 'scheduled');
  };

  /** Starts, with their permits, the held contacts due within `aheadMs`, while lines are free. */
  const startHeld = (aheadMs: number) => {
    while (state.status === 'running' && live.size < lineLimit() && mayStartMore()) {
      const next = held[0];
      if (!next || (next.scheduledAt ?? 0) - aheadMs > Date.now()) return;
      held.shift();
      startContact(next, true, true);
    }
  };

  /** When the next held contact may start, if one is held: from then on it wants a line. */
  const heldNearAt = () => {
    const next = held[0];
    return next && (next.scheduledAt ?? 0) - START_AHEAD_MAX_MS;
  };

  /**
   * One timer for the next held contact to start; a wake for another reason starts it just as well.
   * With every line busy there is none: a line set free wakes the campaign. Under an account-wide
   * cap there is one all the same until the contact is near, so that the campaign asks for a line.
   */
  const armAlarm = () => {
    const nearAt = heldNearAt();
    if (nearAt === undefined || state.status !== 'running') return;
    if (live.size >= lineLimit() && !(accountCapped() && nearAt > Date.now())) return;
    const at = Math.max(nearAt, Date.now() + HOLD_TICK_MS);
    if (alarmAt !== undefined && alarmAt <= at) return;
    alarmAt = at;
    void sleep(at - Date.now()).then(() => {
      if (alarmAt === at) alarmAt = undefined;
      wake = true;
    });
  };

  /**
   * Starts contacts in upload order. One that is due now starts with a dial permit when a line is
   * free (no request and grant round trip); with every line busy it waits here, unstarted, so that
   * a saturated campaign holds no queue of started contacts. One scheduled soon is held; one that
   * is not due otherwise starts without a permit and goes to sleep.
   */
  const startContacts = async () => {
    while (state.status === 'running') {
      // Held contacts near their time come first: theirs was promised.
      startHeld(START_AHEAD_MS);
      await refill();
      const next = buffer[0];
      if (!next) return;
      if (holdable(next.ref)) {
        buffer.shift();
        state.cursor = next.after;
        hold(next.ref);
        continue;
      }
      const permitted = dueNow(next.ref);
      if (permitted && (live.size >= lineLimit() || queue.length > 0)) return;
      if (!permitted && starting.size >= window) return;
      if (!mayStartMore()) return;
      buffer.shift();
      state.cursor = next.after;
      startContact(next.ref, permitted);
    }
  };

  /** Takes the end of a contact from its result, when the contact says it was not signalled. */
  const awaitEnd = (contactId: string, child: ChildWorkflowHandle<typeof contactWorkflow>) => {
    endingByResult.add(contactId);
    child.result().then(
      (result) => {
        if (result.end) inbox.push(result.end);
        endingByResult.delete(contactId);
      },
      (err: unknown) => {
        // Failed or terminated by an operator: it reports nothing, as before results were awaited.
        log.warn('contact workflow ended without a result', { contactId, error: String(err) });
        endingByResult.delete(contactId);
      },
    );
  };

  /**
   * Before continuing as new: the contacts still ending by result are asked to signal instead.
   * One that can no longer take the signal has ended, and its result is on its way to this run.
   */
  const handOverEnds = async () => {
    await Promise.all(
      [...endingByResult].map(async (contactId) => {
        const handle = getExternalWorkflowHandle(contactWorkflowId(campaignId, contactId));
        try {
          await handle.signal(reportEndBySignal);
          endingByResult.delete(contactId);
        } catch (err) {
          log.info('contact ended before the hand-over', { contactId, error: String(err) });
        }
      }),
    );
    await condition(() => endingByResult.size === 0);
  };

  /** A contact this run asked to start whose workflow already ran: a run before this one started it, and counts it. */
  const notStarted = (contactId: string) => {
    starting.delete(contactId);
    if (live.delete(contactId)) move('dialing', 'pending');
    state.open -= 1;
  };

  /** `ahead`: a held contact, counted `scheduled` until now, started before its time. */
  const startContact = (contact: ContactRef, permitted: boolean, ahead = false) => {
    const workflowId = contactWorkflowId(campaignId, contact.contactId);
    const step = historyNext();
    // Near the history limit, a contact reporting by signal spares the hand-over a signal of its own.
    const endByResult = permitted && contactsMayEndByResult && (!mayWindDown || step === 'carry-on');
    if (permitted) {
      live.add(contact.contactId);
      move(ahead ? 'scheduled' : 'pending', 'dialing');
    } else {
      starting.add(contact.contactId);
    }
    state.open += 1;
    startsInTask.starts = startsThisTask() + 1;
    const contactInput: ContactWorkflowInput = {
      campaignId,
      accountId: plan.accountId,
      contact,
      policy: plan.policy,
      permitted,
      ...(endByResult && { endByResult }),
      ...(ahead && { startedAhead: true }),
    };
    // A manual redial may run again under its id, so only a child start, made once, is safe for it.
    if (startsOutsideWhenWindingDown && mayWindDown && step !== 'carry-on' && !contact.redial) {
      outside.push(contactInput);
      return;
    }
    track(
      startChild(contactWorkflow, {
        workflowId,
        args: [contactInput],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        // Only a manual redial may start a finished contact's workflow again under its id.
        workflowIdReusePolicy: contact.redial
          ? WorkflowIdReusePolicy.ALLOW_DUPLICATE
          : WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: contactStartAttributes(campaignId, contact.contactId, permitted),
      }).then(
        (child) => {
          if (endByResult) awaitEnd(contact.contactId, child);
        },
        (err: unknown) => {
          log.warn('contact workflow not started', { workflowId, error: String(err) });
          notStarted(contact.contactId);
        },
      ),
    );
  };

  /** Starts together the contacts collected to start outside this run. */
  const startOutside = () => {
    if (outside.length === 0) return;
    const contacts = outside;
    outside = [];
    outsideRequests += 1;
    const { runId, taskQueue } = workflowInfo();
    track(
      startContactWorkflows({ taskQueue, token: `${runId}/${outsideRequests}`, contacts }).then((started) => {
        outsideAnsweredIn = workflowInfo().historyLength;
        contacts.forEach((c, i) => {
          if (started[i]) return;
          log.warn('contact workflow not started', { contactId: c.contact.contactId });
          notStarted(c.contact.contactId);
        });
      }),
    );
  };

  /**
   * Lines of the account's cap this campaign could use now: all of its own while contacts due now,
   * or held ones near their time, wait for one; else those live and queued; while paused or
   * cancelling, only those live.
   */
  const wantLines = () => {
    if (state.status !== 'running') return live.size;
    const next = buffer[0];
    const nearAt = heldNearAt();
    const waiting =
      (nearAt !== undefined && nearAt <= Date.now()) || (next ? dueNow(next.ref) : !noMoreBatches);
    return Math.min(plan.maxConcurrentCalls, waiting ? plan.maxConcurrentCalls : live.size + queue.length);
  };

  /** Tells the account's lines workflow what this campaign wants and holds, against its last grant. */
  const sendLines = (want: number, inUse: number, leave = false) =>
    reportAccountLines({
      accountId: plan.accountId,
      report: { campaignId, want, inUse, grantSeq: grant.seq, granted: grant.lines, leave },
    });

  let reported: { want: number; inUse: number; seq: number } | undefined;
  let reporting = false;
  /**
   * Under an account-wide cap, tells the account what this campaign wants and, after a cut, the
   * lines it gives back as its calls end; one report at a time, so they arrive in order.
   */
  const reportLines = () => {
    if (!accountCapped() || reporting) return;
    const want = wantLines();
    const inUse = live.size;
    const givingBack = reported !== undefined && inUse < reported.inUse && reported.inUse > grant.lines;
    if (reported && want === reported.want && grant.seq === reported.seq && !givingBack && !askedForLines)
      return;
    askedForLines = false;
    reported = { want, inUse, seq: grant.seq };
    reporting = true;
    track(
      sendLines(want, inUse).finally(() => {
        reporting = false;
      }),
    );
  };

  const cancelEverything = async () => {
    queue.length = 0;
    queued.clear();
    buffer = [];
    const heldIds = held.splice(0).map((c) => c.contactId);
    const untaken = await cancelUntakenContacts({
      campaignId,
      ...state.cursor,
      ...(heldIds.length > 0 && { held: heldIds }),
    });
    move('scheduled', 'cancelled', heldIds.length);
    move('pending', 'cancelled', untaken.cancelled);
    state.cursor = { batch: untaken.batchesCommitted, offset: 0 };
    state.deltasFrom = Math.max(state.deltasFrom, untaken.batchesCommitted);
    applyDelta(untaken.delta);
    noMoreBatches = true;
    while (state.open > 0) {
      await cancelContactWorkflows({ campaignId });
      showDetails();
      await condition(() => state.open <= 0 || inbox.length > 0, CANCEL_SWEEP_INTERVAL_MS);
      drain();
    }
  };

  const drain = () => {
    for (const t of inbox.splice(0)) apply(t);
  };

  for (;;) {
    wake = false;
    drain();
    if (state.cancelRequested && state.status === 'cancelling') {
      await cancelEverything();
      if (await settle('cancelled')) return { status: 'cancelled', counters: state.counters };
    }
    // A run that is to continue as new starts nothing more: it would wait for each start's answer
    // before it continues, and every event that arrives meanwhile has its continue-as-new refused
    // (and the run replayed). The queue and the hold go to the next run, which starts them at once.
    if (!continuesFirst || historyNext() !== 'continue-as-new') {
      grantPermits();
      await startContacts();
      startHeld(START_AHEAD_MAX_MS);
      startOutside();
      armAlarm();
    }
    if (
      state.status !== 'cancelling' &&
      state.open <= 0 &&
      held.length === 0 &&
      noMoreBatches &&
      inFlight.size === 0
    ) {
      if (await settle('completed')) return { status: 'completed', counters: state.counters };
      noMoreBatches = false;
      continue;
    }
    const step = historyNext();
    if (step === 'continue-as-new') {
      await Promise.all(inFlight);
      // A local activity's result is recorded by the task that completes after it. Were that the
      // task continuing as new, and refused, the replay would run the activity again, and its task
      // would outlast the task timeout, complete to keep alive, and continue as new in yet another
      // task, refused again. A timer first ends the task, with the result in it.
      if (continuesFirst && outsideAnsweredIn === workflowInfo().historyLength) await sleep(1);
      await handOverEnds();
      await condition(allHandlersFinished);
      drain();
      state.starting = [...starting];
      state.queue = [...queue];
      state.live = [...live];
      state.held = held;
      state.allTaken = noMoreBatches;
      if (accountCapped()) {
        state.plan = { ...plan, accountCapped: true };
        state.lines = grant;
      }
      return continueAsNew<typeof campaignWorkflow>({ campaignId, carry: state });
    }
    reportLines();
    showDetails(step);
    await condition(() => wake || inbox.length > 0);
  }

  async function settle(status: 'completed' | 'cancelled'): Promise<boolean> {
    await Promise.all(inFlight);
    drain();
    if (status === 'completed' && (state.open > 0 || held.length > 0 || inbox.length > 0)) return false;
    const settled = await settleCampaign({
      campaignId,
      batchesTaken: state.cursor.batch,
      status,
      counts: state.counters,
    });
    if (!settled) {
      log.info('a batch arrived while settling; carrying on', { campaignId });
      return false;
    }
    if (accountCapped()) {
      // Settled: nothing is live and nothing will start, so the account may give the lines to others.
      await sendLines(0, 0, true);
    }
    return true;
  }
}

function freshState(plan: CampaignPlan): CampaignCarry {
  return {
    plan,
    status: plan.paused ? 'paused' : 'running',
    counters: plan.counts,
    cursor: { batch: plan.batchesTaken, offset: 0 },
    deltasFrom: plan.batchesCommitted,
    open: 0,
    starting: [],
    queue: [],
    live: [],
    finishedThisRun: 0,
    runStartedAt: plan.startedAt,
    cancelRequested: false,
  };
}

function ignoreGone(err: unknown): void {
  log.info('contact workflow gone before its answer', { error: String(err) });
}
