/**
 * Canonical status names. Dialects map these to their own words in one table each
 * (see src/api/dialects/*), never inline in handlers.
 */
export const campaignStatuses = [
  'draft',
  'scheduled',
  'running',
  'paused',
  'completed',
  'cancelled',
  'failed',
] as const;
export type CampaignStatus = (typeof campaignStatuses)[number];

/** A campaign in one of these states has a live campaign workflow. */
export const activeCampaignStatuses: readonly CampaignStatus[] = ['running', 'paused'];
export const finalCampaignStatuses: readonly CampaignStatus[] = ['completed', 'cancelled', 'failed'];

export const contactStatuses = [
  'pending',
  'scheduled',
  'waiting_window',
  'dialing',
  'in_call',
  'retry_scheduled',
  'completed',
  'failed',
  'cancelled',
  'skipped_dnc',
] as const;
export type ContactStatus = (typeof contactStatuses)[number];

export const finalContactStatuses = ['completed', 'failed', 'cancelled', 'skipped_dnc'] as const;
export type FinalContactStatus = (typeof finalContactStatuses)[number];
export type LiveContactStatus = Exclude<ContactStatus, FinalContactStatus>;

export function isFinalContactStatus(status: ContactStatus): status is FinalContactStatus {
  return (finalContactStatuses as readonly string[]).includes(status);
}

export const callOutcomes = [
  'answered',
  'no_answer',
  'busy',
  'failed',
  'voicemail',
  'invalid_number',
  'cancelled',
] as const;
export type CallOutcome = (typeof callOutcomes)[number];
