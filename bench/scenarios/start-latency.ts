import { campaignWorkflowId } from '../../src/domain/ids';
import { ALWAYS_OPEN, benchContacts, percentile, round, type VoiceGenieClient } from '../client';
import type { Stack } from '../stack';

export interface StartLatency {
  runs: number;
  contacts: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

/**
 * `POST /uploadCampaignDataAndRun` with 1,000 contacts, `runs` times, one after another: the time
 * a caller waits for the answer (validation, normalisation, DNC check, the write, the workflow
 * start). Each campaign is cancelled right after and its workflow awaited, so every run measures a
 * start on an idle engine, not one busy with the calls of the campaigns before it.
 */
export async function startLatency(
  stack: Stack,
  vg: VoiceGenieClient,
  runs = 30,
  contacts = 1000,
): Promise<StartLatency> {
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const reply = await vg.call<{ campaign: { _id: string } }>('POST', '/uploadCampaignDataAndRun', {
      campaignName: `latency ${run}`,
      agentId: 'bench-agent',
      isScheduledCall: false,
      isContextBasedCall: false,
      callingHours: ALWAYS_OPEN,
      contacts: benchContacts(contacts, 10_000 + run),
    });
    if (reply.status !== 200)
      throw new Error(`upload-and-run answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    times.push(reply.ms);
    const campaignId = reply.body.data.campaign._id;
    const cancelled = await vg.call('POST', `/v1/campaigns/${campaignId}/cancel`);
    if (cancelled.status !== 200) throw new Error(`cancel answered ${cancelled.status}`);
    await stack.ctx.temporal.workflow.getHandle(campaignWorkflowId(campaignId)).result();
  }
  return {
    runs,
    contacts,
    p50Ms: round(percentile(times, 50)),
    p95Ms: round(percentile(times, 95)),
    maxMs: round(Math.max(...times)),
  };
}
