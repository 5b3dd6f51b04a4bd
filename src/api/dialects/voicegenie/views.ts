import type { CampaignDoc } from '../../../campaigns/model';
import { isoSeconds, type CallRow, type CallStats, type ScheduleSplit } from '../../../campaigns/reports';
import type { CampaignStatusView } from '../../../campaigns/service';
import { finishedContacts, type CampaignCounters } from '../../../domain/counters';
import { estimateCompletion } from '../../../domain/estimate';
import { statusWord, type Family } from './envelope';

/**
 * Response bodies of the VoiceGenie dialect, field for field as its pages show them. Times are
 * ISO 8601 to the second (`2024-01-16T14:00:00Z`), as the pages write them.
 */

export function iso(date: Date | undefined): string | null {
  return date ? isoSeconds(date) : null;
}

/** `campaign` of Upload Campaign Data and Run (and of Create Campaign). */
export function campaignView(c: CampaignDoc) {
  return {
    _id: c._id,
    campaignName: c.name,
    campaignId: c.code,
    status: statusWord('v2', c.status),
    agentId: c.agentId ?? null,
    totalContacts: c.counts.total,
    isScheduledCall: c.isScheduledCall,
    isContextBasedCall: c.isContextBasedCall,
    createdAt: iso(c.createdAt),
    campaignStartTime: iso(c.startedAt),
  };
}

/** `redial_config` of Upload Campaign Data and Run: the campaign's effective settings. */
export function redialConfigView(c: CampaignDoc) {
  return {
    enabled: c.redialConfig.enabled,
    maxAttempts: c.redialConfig.maxAttempts,
    retryIntervals: c.redialConfig.retryIntervals,
  };
}

/** Contacts not yet final. */
function remainingContacts(counters: CampaignCounters): number {
  return Math.max(0, counters.total - finishedContacts(counters));
}

/** When a campaign that starts now should be done (before anything was measured). */
export function startEstimate(c: CampaignDoc, now: number): Date {
  return new Date(
    estimateCompletion({
      now,
      remaining: remainingContacts(c.counts),
      finishedThisRun: 0,
      runStartedAt: now,
      maxConcurrentCalls: c.maxConcurrentCalls,
      ...(c.latestScheduledAt && { latestScheduledAt: c.latestScheduledAt.getTime() }),
    }),
  );
}

/** `data` of Start Campaign v2. */
export function startV2View(c: CampaignDoc, split: ScheduleSplit, now: number) {
  return {
    campaign_id: c._id,
    campaign_name: c.name,
    status: statusWord('v2', c.status),
    started_at: iso(c.startedAt),
    total_contacts: c.counts.total,
    scheduled_calls: split.scheduled,
    immediate_calls: split.immediate,
    estimated_completion: iso(startEstimate(c, now)),
    configuration: {
      is_scheduled_call: c.isScheduledCall,
      is_context_based_call: c.isContextBasedCall,
      redial_config: {
        enabled: c.redialConfig.enabled,
        max_attempts: c.redialConfig.maxAttempts,
        retry_intervals: c.redialConfig.retryIntervals,
      },
    },
  };
}

/** Contacts by where they stand, as the stats pages count them. */
function contactTallies(counters: CampaignCounters) {
  const c = counters.contacts;
  const completed = c.completed;
  const failed = c.failed;
  return {
    completed,
    failed,
    inProgress: c.dialing + c.in_call,
    pending: c.pending + c.scheduled + c.waiting_window + c.retry_scheduled,
    retryScheduled: c.retry_scheduled,
    /** Contacts reached, of those whose calling is over with a call outcome: 0-100, two decimals. */
    successRate: completed + failed > 0 ? round2((completed / (completed + failed)) * 100) : 0,
  };
}

/** Call attempts by outcome, in the five words the Get Campaign Stats page uses. */
function callBreakdown(counters: CampaignCounters) {
  const calls = counters.calls;
  return {
    answered: calls.answered,
    busy: calls.busy,
    no_answer: calls.no_answer,
    failed: calls.failed + calls.invalid_number,
    voicemail: calls.voicemail,
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** `data` of Get Campaign Stats. */
export function statsView(view: CampaignStatusView, calls: CallStats) {
  const c = view.campaign;
  const tallies = contactTallies(view.counters);
  return {
    campaign_id: c._id,
    campaign_name: c.name,
    total_contacts: view.counters.total,
    calls_completed: tallies.completed,
    calls_failed: tallies.failed,
    calls_in_progress: tallies.inProgress,
    calls_pending: tallies.pending,
    success_rate: tallies.successRate,
    average_call_duration: calls.averageDurationS,
    total_call_duration: calls.totalDurationS,
    call_status_breakdown: callBreakdown(view.counters),
    started_at: iso(c.startedAt),
    completed_at: iso(c.completedAt),
  };
}

/** One campaign of Get Campaign Statuses. */
export function statusItemView(view: CampaignStatusView, calls: CallStats) {
  const c = view.campaign;
  const counters = view.counters;
  const tallies = contactTallies(counters);
  const finished = finishedContacts(counters);
  return {
    campaign_id: c._id,
    campaign_code: c.code,
    campaign_name: c.name,
    status: statusWord('v2', c.status),
    created_at: iso(c.createdAt),
    started_at: iso(c.startedAt),
    paused_at: iso(view.pausedAt),
    completed_at: iso(c.completedAt),
    call_statistics: {
      total_contacts: counters.total,
      calls_initiated: counters.calls.placed,
      calls_in_progress: tallies.inProgress,
      calls_pending: tallies.pending,
      calls_completed: tallies.completed,
      calls_failed: tallies.failed,
      contacts_skipped_dnc: counters.contacts.skipped_dnc,
      contacts_cancelled: counters.contacts.cancelled,
      call_status_breakdown: callBreakdown(counters),
    },
    success_metrics: {
      success_rate: tallies.successRate,
      answer_rate:
        counters.calls.placed > 0 ? round2((counters.calls.answered / counters.calls.placed) * 100) : 0,
      average_call_duration: calls.averageDurationS,
      total_call_duration: calls.totalDurationS,
    },
    progress: {
      completed_contacts: finished,
      remaining_contacts: remainingContacts(counters),
      percentage: counters.total > 0 ? round2((finished / counters.total) * 100) : 0,
      active_calls: view.liveCalls,
      estimated_completion: iso(view.estimatedCompletionAt),
    },
    redial_info: {
      enabled: c.redialConfig.enabled,
      max_attempts: c.redialConfig.maxAttempts,
      retry_intervals: c.redialConfig.retryIntervals,
      retries_scheduled: tallies.retryScheduled,
      redial_attempts: calls.redialAttempts,
    },
  };
}

export type StatusItem = ReturnType<typeof statusItemView>;

/** `summary` of Get Campaign Statuses: every matching campaign counted by status, the page's totals. */
export function statusSummary(all: Pick<CampaignDoc, 'status'>[], page: StatusItem[], family: Family) {
  const byStatus: Record<string, number> = {};
  for (const c of all) {
    const word = statusWord(family, c.status);
    byStatus[word] = (byStatus[word] ?? 0) + 1;
  }
  const sum = (pick: (i: StatusItem) => number) => page.reduce((n, i) => n + pick(i), 0);
  const completed = sum((i) => i.call_statistics.calls_completed);
  const failed = sum((i) => i.call_statistics.calls_failed);
  return {
    total_campaigns: all.length,
    by_status: byStatus,
    total_contacts: sum((i) => i.call_statistics.total_contacts),
    total_calls: sum((i) => i.call_statistics.calls_initiated),
    active_calls: sum((i) => i.progress.active_calls),
    calls_completed: completed,
    calls_failed: failed,
    overall_success_rate: completed + failed > 0 ? round2((completed / (completed + failed)) * 100) : 0,
  };
}

/** One row of Get Campaign History. */
export function historyRowView(row: CallRow) {
  return {
    call_id: row.callId,
    contact_name: row.name ?? null,
    phone_number: row.phone,
    status: row.status,
    duration: row.durationS,
    call_time: iso(row.callTime),
    recording_url: null,
    attempt: row.attempt,
  };
}
