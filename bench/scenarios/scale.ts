import type { Stack } from '../stack';

/** The longest history among the campaign's workflow runs and its contacts' workflows. */
export async function largestHistory(
  stack: Stack,
  campaignId: string,
): Promise<{ events: number; workflows: number }> {
  let events = 0;
  let workflows = 0;
  for await (const execution of stack.ctx.temporal.workflow.list({ query: `CampaignId = '${campaignId}'` })) {
    workflows += 1;
    events = Math.max(events, execution.historyLength);
  }
  return { events, workflows };
}
