import type { CampaignDoc } from '../src/campaigns/model';
import { emptyCounters } from '../src/domain/counters';

/**
 * The `n`th of many stored campaigns for the benches that read among them: a finished campaign of
 * one upload, numbered and coded by `n`, in the account and at the time given.
 */
export function benchCampaign(
  n: number,
  fields: Pick<CampaignDoc, 'accountId' | 'createdAt'> & Partial<CampaignDoc>,
): CampaignDoc {
  return {
    _id: `c${String(n).padStart(23, '0')}`,
    numericId: n + 1,
    code: `CAMP-2026-${String(n + 1).padStart(3, '0')}`,
    name: `Campaign ${n}`,
    status: 'completed',
    isScheduledCall: false,
    isContextBasedCall: false,
    redialConfig: {
      enabled: true,
      maxAttempts: 3,
      retryIntervals: [1800, 7200],
      retryOn: ['no_answer', 'busy'],
    },
    maxConcurrentCalls: 200,
    counts: emptyCounters(),
    batches: ['upload-1'],
    batchesTaken: 1,
    updatedAt: fields.createdAt,
    ...fields,
  };
}
