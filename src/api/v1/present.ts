import type { z } from 'zod';
import type { CampaignStatusView } from '../../campaigns/service';
import type { CallDoc, CampaignDoc, ContactDoc } from '../../campaigns/model';
import { contactTimezones } from '../../campaigns/contact-rules';
import { finishedContacts } from '../../domain/counters';
import type { DncEntry } from '../../dnc/store';
import type {
  callSchema,
  campaignSchema,
  campaignStatusSchema,
  contactSchema,
  dncEntrySchema,
} from './schemas';

/** The engine's records as /v1 resources: the one place their field names are decided. */

function iso(date: Date | undefined | null): string | null {
  return date ? date.toISOString() : null;
}

export function presentCampaign(c: CampaignDoc): z.output<typeof campaignSchema> {
  return {
    id: c._id,
    code: c.code,
    name: c.name,
    ...(c.description !== undefined && { description: c.description }),
    status: c.status,
    ...(c.agentId !== undefined && { agentId: c.agentId }),
    isScheduledCall: c.isScheduledCall,
    isContextBasedCall: c.isContextBasedCall,
    maxConcurrentCalls: c.maxConcurrentCalls,
    redialConfig: c.redialConfig,
    ...(c.callingHours !== undefined && { callingHours: c.callingHours }),
    ...(c.fromNumber !== undefined && { fromNumber: c.fromNumber }),
    counters: c.counts,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
    started_at: iso(c.startedAt),
    paused_at: iso(c.pausedAt),
    completed_at: iso(c.completedAt),
    cancelled_at: iso(c.cancelledAt),
  };
}

export function presentStatus(view: CampaignStatusView): z.output<typeof campaignStatusSchema> {
  const c = view.campaign;
  return {
    campaign_id: c._id,
    status: c.status,
    source: view.source,
    as_of: view.asOf.toISOString(),
    counters: view.counters,
    finished_contacts: finishedContacts(view.counters),
    live_calls: view.liveCalls,
    ...(view.accountLines !== undefined && { account_lines: view.accountLines }),
    estimated_completion_at: iso(view.estimatedCompletionAt),
    started_at: iso(c.startedAt),
    paused_at: iso(view.pausedAt),
    completed_at: iso(c.completedAt),
    cancelled_at: iso(c.cancelledAt),
  };
}

export function presentContact(c: ContactDoc): z.output<typeof contactSchema> {
  return {
    id: c._id,
    campaign_id: c.campaignId,
    phone_number: c.phone,
    raw_phone_number: c.rawPhone ?? c.phone,
    ...(c.name !== undefined && { name: c.name }),
    ...(c.email !== undefined && { email: c.email }),
    ...(c.customData !== undefined && { custom_data: c.customData }),
    timezones: contactTimezones(c),
    status: c.status,
    attempts: c.attempts ?? 0,
    max_attempts: c.maxAttempts ?? null,
    last_outcome: c.lastOutcome ?? null,
    last_call_id: c.lastCallId ?? null,
    end_reason: c.endReason ?? null,
    scheduled_at: iso(c.scheduledAt),
    next_attempt_at: iso(c.nextAttemptAt),
    created_at: c.createdAt.toISOString(),
    updated_at: (c.updatedAt ?? c.createdAt).toISOString(),
    finished_at: iso(c.finishedAt),
  };
}

export function presentCall(c: CallDoc): z.output<typeof callSchema> {
  return {
    id: c._id,
    provider_call_id: c.callId ?? null,
    campaign_id: c.campaignId,
    contact_id: c.contactId,
    attempt: c.attempt,
    phone_number: c.phone,
    status: c.status,
    outcome: c.outcome ?? null,
    reason: c.reason ?? null,
    duration_s: c.durationS ?? null,
    opt_out: c.optOut ?? false,
    created_at: c.createdAt.toISOString(),
    placed_at: iso(c.placedAt),
    answered_at: iso(c.answeredAt),
    ended_at: iso(c.endedAt),
  };
}

export function presentDncEntry(e: DncEntry): z.output<typeof dncEntrySchema> {
  return {
    phone_number: e.phone,
    // Null on the account-wide list, where the stored entry may come back without the field.
    campaign_id: e.campaignId ?? null,
    reason: e.reason ?? null,
    source: e.source,
    created_at: e.createdAt.toISOString(),
  };
}

/** A page of a listing fetched with one extra item, which tells whether another page follows. */
export function page<T, R>(
  items: T[],
  opts: { limit: number; offset: number },
  present: (item: T) => R,
): { data: R[]; page: { limit: number; offset: number; has_more: boolean; next_offset: number | null } } {
  const hasMore = items.length > opts.limit;
  return {
    data: items.slice(0, opts.limit).map(present),
    page: {
      limit: opts.limit,
      offset: opts.offset,
      has_more: hasMore,
      next_offset: hasMore ? opts.offset + opts.limit : null,
    },
  };
}
