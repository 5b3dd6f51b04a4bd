import { campaignWorkflowId } from '../../src/domain/ids';
import type { CallView } from '../../src/carrier/ledger';
import { benchContacts, percentile, round, type VoiceGenieClient } from '../client';
import type { Stack } from '../stack';

export interface SchedulePrecision {
  contacts: number;
  spreadS: number;
  p50LateMs: number;
  p99LateMs: number;
  maxLateMs: number;
  earliestMs: number;
  /** First calls a second the schedule asks for: `contacts` over `spreadS`. */
  askedPerS: number;
  /**
   * First calls a second placed, from the first scheduled time to the last first call: below
   * `askedPerS` when the engine cannot keep up, which makes lateness grow across the minute.
   */
  placedPerS: number;
  /**
   * The first calls more than a second late, and where their scheduled times fall in the minute
   * (seconds from the first): lateness that grows to the end is the capacity; a span in the middle
   * is a stall of the campaign.
   */
  overASecond: { calls: number; fromS?: number; toS?: number };
  campaignId: string;
}

/**
 * `contacts` contacts scheduled evenly across `spreadS` seconds, starting `leadS` seconds after
 * the start: how late each first call reaches the carrier (its ledger time minus the scheduled
 * time). A negative figure would be a call placed early.
 */
export async function schedulePrecision(
  stack: Stack,
  vg: VoiceGenieClient,
  contacts = 2000,
  { spreadS = 60, leadS = 45, repeat = 0 } = {},
): Promise<SchedulePrecision> {
  const firstAt = Date.now() + leadS * 1000;
  const due = new Map<string, number>();
  // A seed of its own per size and repeat: numbers that opted out in one run are on the do-not-call list in the next.
  const list = benchContacts(contacts, 20_000 + contacts + 100_000 * repeat).map((c, i) => {
    const at = firstAt + Math.floor((i * spreadS * 1000) / contacts);
    due.set(c.phone_number, at);
    return { ...c, scheduledCallDateTime: new Date(at).toISOString() };
  });
  const campaignId = await vg.createWithContacts({ isScheduledCall: true, maxConcurrentCalls: 200 }, list);
  await vg.ok('GET', `/startCampaignv2/${campaignId}`);
  await stack.ctx.temporal.workflow.getHandle(campaignWorkflowId(campaignId)).result();

  const res = await fetch(`${stack.carrierUrl}/ledger/calls?campaignId=${campaignId}`);
  const { calls } = (await res.json()) as { calls: CallView[] };
  const firstCalls = calls
    .filter((c) => c.attempt === 1)
    .map((c) => ({ to: c.to, at: Date.parse(c.requestedAt) }));
  const late = firstCalls.map((c) => c.at - (due.get(c.to) ?? NaN));
  if (late.length !== contacts || late.some(Number.isNaN)) {
    throw new Error(`expected ${contacts} first calls in the ledger, found ${late.length}`);
  }
  const lastPlacedAt = Math.max(...firstCalls.map((c) => c.at));
  const lateDueS = firstCalls.flatMap((c, i) =>
    (late[i] ?? 0) > 1000 ? [((due.get(c.to) ?? firstAt) - firstAt) / 1000] : [],
  );
  return {
    campaignId,
    overASecond: {
      calls: lateDueS.length,
      ...(lateDueS.length > 0 && { fromS: round(Math.min(...lateDueS)), toS: round(Math.max(...lateDueS)) }),
    },
    contacts,
    spreadS,
    askedPerS: round(contacts / spreadS),
    placedPerS: round(contacts / ((lastPlacedAt - firstAt) / 1000)),
    p50LateMs: round(percentile(late, 50), 0),
    p99LateMs: round(percentile(late, 99), 0),
    maxLateMs: round(Math.max(...late), 0),
    earliestMs: round(Math.min(...late), 0),
  };
}
