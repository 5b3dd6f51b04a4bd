import type { ContactDoc } from '../../src/campaigns/model';
import { campaignWorkflowId } from '../../src/domain/ids';
import { ALWAYS_OPEN, benchContacts, percentile, round, type VoiceGenieClient } from '../client';
import type { Stack } from '../stack';

export interface StartLatency {
  runs: number;
  contacts: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** p50 of writing the same 1,000 contact documents with one insertMany, straight through the driver. */
  insertFloorP50Ms: number;
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
  let firstCampaignId: string | undefined;
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
    firstCampaignId ??= campaignId;
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
    insertFloorP50Ms: round(await insertFloor(stack, firstCampaignId as string)),
  };
}

/**
 * The least any start of 1,000 contacts can cost on this database server: one insertMany of the
 * contact documents a start wrote, copied under new ids into a scratch collection.
 */
async function insertFloor(stack: Stack, campaignId: string, runs = 10): Promise<number> {
  const docs = await stack.ctx.store.contacts.find({ campaignId }).toArray();
  const scratch = stack.ctx.mongo.db.collection<ContactDoc>('bench_insert_floor');
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const copies = docs.map((d) => ({ ...d, _id: `${run}:${d._id}` }));
    const started = performance.now();
    await scratch.insertMany(copies, { ordered: false });
    times.push(performance.now() - started);
  }
  await scratch.drop();
  return percentile(times, 50);
}
