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
  // Kore.ai: a campaign not yet triggered reads `Ready` (its Get Voice Campaign sample), a started
  // one `Active` (Start Voice Campaign), a stopped one `Stopped` (Get Campaign Status).
  kore: {
    draft: 'Ready',
    scheduled: 'Scheduled',
    running: 'Active',
    paused: 'Paused',
    completed: 'Completed',
    cancelled: 'Stopped',
    failed: 'Failed',
  },
  // Volt MX Engagement Services: `Draft`, `Pending`, `Running` (Get Campaign Details / Get All
  // Campaigns samples); a terminated campaign has a `terminatedDateStr` (Terminate Campaign).
  voltmx: {
    draft: 'Draft',
    scheduled: 'Pending',
    running: 'Running',
    paused: 'Paused',
    completed: 'Completed',
    cancelled: 'Terminated',
    failed: 'Failed',
  },
};
