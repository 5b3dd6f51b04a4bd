import type { CampaignStatus } from '../domain/status';

/**
 * Our canonical campaign statuses in each dialect's words: the one table of them. VoiceGenie's
 * start v1 page says `running`, its v2 and upload pages `in_progress`; Kore.ai says `Active` and
 * `Stopped`.
 */
export const campaignStatusNames: Record<
  'voicegenieV1' | 'voicegenieV2' | 'kore' | 'voltmx',
  Record<CampaignStatus, string>
> = {
  voicegenieV1: {
    draft: 'draft',
    scheduled: 'scheduled',
    running: 'running',
    paused: 'paused',
    completed: 'completed',
    cancelled: 'cancelled',
    failed: 'failed',
  },
  voicegenieV2: {
    draft: 'draft',
    scheduled: 'scheduled',
    running: 'in_progress',
    paused: 'paused',
    completed: 'completed',
    cancelled: 'cancelled',
    failed: 'failed',
  },
  kore: {
    draft: 'Draft',
    scheduled: 'Scheduled',
    running: 'Active',
    paused: 'Paused',
    completed: 'Completed',
    cancelled: 'Stopped',
    failed: 'Failed',
  },
  voltmx: {
    draft: 'DRAFT',
    scheduled: 'SCHEDULED',
    running: 'RUNNING',
    paused: 'PAUSED',
    completed: 'COMPLETED',
    cancelled: 'CANCELLED',
    failed: 'FAILED',
  },
};
