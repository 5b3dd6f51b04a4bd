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
  /**
   * p50 of writing 1,000 contact documents as a start writes them with one insertMany, straight
   * through the driver: the least any start can cost on this database server.
   */
  insertFloorP50Ms: number;
  /** p50 over the runs of each start's time less the floor measured right after it: the engine's own part. */
  aboveFloorP50Ms: number;
  /**
   * From each cancel request to its campaign's workflow closed, the contacts it never started
   * marked cancelled: p50 and the last run's, as the contacts collection has grown by then.
   */
  cancelP50Ms: number;
  cancelLastMs: number;
}

/**
 * `POST /uploadCampaignDataAndRun` with 1,000 contacts, `runs` times, one after another: the time
 * a caller waits for the answer (validation, normalisation, DNC check, the write, the workflow
 * start). Each campaign is cancelled right after and its workflow awaited, so every run measures a
 * start on an idle engine, not one busy with the calls of the campaigns before it. After each, the
 * floor is measured on the same idle engine, so that the engine's own part is read run by run
 * and does not move with the machine's speed, which on a shared machine drifts within minutes.
 */
export async function startLatency(
  stack: Stack,
  vg: VoiceGenieClient,
  runs = 30,
  contacts = 1000,
): Promise<StartLatency> {
  const times: number[] = [];
  const floors: number[] = [];
  const cancels: number[] = [];
  let fresh: ContactDoc[] | undefined;
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
    fresh ??= await freshContacts(stack, campaignId, contacts);
    const cancelStarted = performance.now();
    const cancelled = await vg.call('POST', `/v1/campaigns/${campaignId}/cancel`);
    if (cancelled.status !== 200) throw new Error(`cancel answered ${cancelled.status}`);
    await stack.ctx.temporal.workflow.getHandle(campaignWorkflowId(campaignId)).result();
    cancels.push(performance.now() - cancelStarted);
    floors.push(await timeInsert(stack, fresh, run));
  }
  await stack.ctx.mongo.db.collection(SCRATCH).drop();
  return {
    runs,
    contacts,
    p50Ms: round(percentile(times, 50)),
    p95Ms: round(percentile(times, 95)),
    maxMs: round(Math.max(...times)),
    insertFloorP50Ms: round(percentile(floors, 50)),
    aboveFloorP50Ms: round(
      percentile(
        times.map((t, i) => t - (floors[i] ?? NaN)),
        50,
      ),
    ),
    cancelP50Ms: round(percentile(cancels, 50)),
    cancelLastMs: round(cancels.at(-1) ?? NaN),
  };
}

const SCRATCH = 'bench_insert_floor';

/**
 * The documents a start wrote, as it wrote them: read right after its answer, leaving out any a
 * call already changed (those carry `updatedAt`), the others repeated to make up `count`.
 */
async function freshContacts(stack: Stack, campaignId: string, count: number): Promise<ContactDoc[]> {
  const docs = await stack.ctx.store.contacts.find({ campaignId, updatedAt: { $exists: false } }).toArray();
  if (docs.length === 0) throw new Error(`campaign ${campaignId} has no unchanged contacts to copy`);
  return Array.from({ length: count }, (_, i) => docs[i % docs.length] as ContactDoc);
}

/** One insertMany of `docs` under new ids into a scratch collection, in ms. */
async function timeInsert(stack: Stack, docs: ContactDoc[], run: number): Promise<number> {
  const copies = docs.map((d, i) => ({ ...d, _id: `${run}:${i}:${d._id}` }));
  const started = performance.now();
  await stack.ctx.mongo.db.collection<ContactDoc>(SCRATCH).insertMany(copies, { ordered: false });
  return performance.now() - started;
}
