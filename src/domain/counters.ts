import type { CallOutcome, ContactStatus } from './status';
import { contactStatuses, callOutcomes, finalContactStatuses } from './status';

/**
 * What a campaign reports about itself: how many contacts are in each state, and how many call
 * attempts ended with each outcome. The campaign workflow keeps these live; MongoDB recomputes
 * them after the fact.
 */
export interface CampaignCounters {
  total: number;
  contacts: Record<ContactStatus, number>;
  calls: { placed: number } & Record<CallOutcome, number>;
}

export function emptyCounters(): CampaignCounters {
  return {
    total: 0,
    contacts: Object.fromEntries(contactStatuses.map((s) => [s, 0])) as Record<ContactStatus, number>,
    calls: {
      placed: 0,
      ...(Object.fromEntries(callOutcomes.map((o) => [o, 0])) as Record<CallOutcome, number>),
    },
  };
}

export function finishedContacts(counters: CampaignCounters): number {
  return finalContactStatuses.reduce((sum, s) => sum + counters.contacts[s], 0);
}

/** Contacts currently holding a dial permit. */
export function liveCalls(counters: CampaignCounters): number {
  return counters.contacts.dialing + counters.contacts.in_call;
}
