import { isFinalContactStatus, type CallOutcome, type ContactStatus } from './status';

/**
 * The "current details" a workflow shows an operator in the Temporal Web UI: one sentence on where
 * it stands and what it waits for. The SDK keeps it in memory and answers it to the Web UI's
 * metadata query, so it adds nothing to the history. Deterministic: workflows render it.
 */

export interface ContactDetailsInput {
  phone: string;
  status: ContactStatus;
  /** Attempts made so far, the one under way included. */
  attempts: number;
  /** Attempts the contact may make in all. */
  budget: number;
  /** When it dials next, while it sleeps until then. */
  nextDialAt?: number;
  lastOutcome?: CallOutcome;
}

export function contactDetails(c: ContactDetailsInput): string {
  const last = c.lastOutcome ? `; last outcome ${c.lastOutcome}` : '';
  if (isFinalContactStatus(c.status)) {
    return `${c.phone}: ended ${c.status} after ${plural(c.attempts, 'attempt')}${last}.`;
  }
  const next = `attempt ${c.attempts + 1} of ${c.budget}`;
  if (c.nextDialAt !== undefined) {
    const until = new Date(c.nextDialAt).toISOString();
    if (c.status === 'waiting_window') {
      return `${c.phone}: sleeps until ${until}, when its calling window opens; then ${next}${last}.`;
    }
    if (c.status === 'retry_scheduled')
      return `${c.phone}: sleeps until ${until}, then redials (${next}${last}).`;
    if (c.status === 'scheduled')
      return `${c.phone}: sleeps until ${until}, its scheduled time; then ${next}.`;
    // Started shortly before its time with a line of the campaign's, which it keeps while it sleeps.
    return `${c.phone}: holds a line and dials at ${until}, its scheduled time (${next}).`;
  }
  const current = `attempt ${c.attempts} of ${c.budget}`;
  if (c.status === 'pending') return `${c.phone}: waits for a line from its campaign (${next}${last}).`;
  if (c.status === 'in_call') return `${c.phone}: in a call (${current}), waiting for its outcome.`;
  if (c.status === 'dialing') return `${c.phone}: dialing (${current}).`;
  return `${c.phone}: ${c.status} (${next}${last}).`;
}

export interface CampaignDetailsInput {
  status: string;
  total: number;
  finished: number;
  liveCalls: number;
  lines: number;
  /** Contacts asking for a line. */
  queued: number;
  /** Scheduled contacts the campaign keeps unstarted until shortly before their time. */
  held: number;
  /** Contact workflows started and not yet final. */
  open: number;
  historyLength: number;
  /** The run is winding down to continue as new. */
  windingDown: boolean;
}

export function campaignDetails(c: CampaignDetailsInput): string {
  const parts = [
    `${c.finished} of ${plural(c.total, 'contact')} final`,
    `${c.liveCalls} of ${plural(c.lines, 'line')} in calls`,
    `${c.queued} waiting for a line`,
    `${c.open} contact ${c.open === 1 ? 'workflow' : 'workflows'} open`,
    ...(c.held > 0 ? [`${c.held} held until shortly before their scheduled time`] : []),
  ];
  const run = c.windingDown
    ? `This run has ${c.historyLength} history events and is winding down to continue as new.`
    : `This run has ${c.historyLength} history events.`;
  return `${c.status}: ${parts.join('; ')}. ${run}`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
