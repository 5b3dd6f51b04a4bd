import { campaignWorkflowId } from '../../src/domain/ids';
import { syntheticNumbers } from '../../src/phones/synthetic-numbers';
import type { CampaignResult } from '../../workflows/campaign';
import { startEngine, type Engine } from '../support/engine';
import { launchCampaign } from '../support/campaigns';

/** What the simulated carrier's table promises, for a contact with `budget` attempts. */
function expected(digit: number, budget: number): { attempts: number; status: 'completed' | 'failed' } {
  if (digit <= 3) return { attempts: 1, status: 'completed' };
  if (digit === 6)
    return budget >= 3 ? { attempts: 3, status: 'completed' } : { attempts: budget, status: 'failed' };
  if (digit === 8 || digit === 9) return { attempts: 1, status: 'failed' };
  return { attempts: budget, status: 'failed' };
}

describe('redial loop on the time-skipping server', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({ timeSkipping: true });
  });
  afterAll(async () => {
    await engine.stop();
  });

  it.each([1, 3, 5])(
    'every row of the carrier table gives the right attempts and final state (maxAttempts %i)',
    async (maxAttempts) => {
      const phones = syntheticNumbers({ count: 10, seed: maxAttempts, lastDigit: (i) => i });
      const started = Date.now();
      const campaignId = await launchCampaign(
        engine,
        { redialConfig: { enabled: true, maxAttempts, retryIntervals: [3 * 3600, 6 * 3600] } },
        phones.map((phone_number, i) => ({ phone_number, name: `digit ${i}` })),
      );
      const result = (await engine.client.workflow
        .getHandle(campaignWorkflowId(campaignId))
        .result()) as CampaignResult;
      // Hours of redial intervals passed in (much) less real time than one of them.
      expect(Date.now() - started).toBeLessThan(120_000);
      expect(result.status).toBe('completed');

      const calls = engine.carrier.ledger.calls({ campaignId });
      for (const [digit, phone] of phones.entries()) {
        const want = expected(digit, maxAttempts);
        const contact = await engine.store.contacts.findOne({ campaignId, phone });
        expect({ digit, attempts: contact?.attempts, status: contact?.status }).toEqual({ digit, ...want });
        expect(calls.filter((c) => c.to === phone)).toHaveLength(want.attempts);
      }
      expect(engine.carrier.ledger.stats().duplicatesRefused).toBe(0);

      const totalAttempts = phones.reduce((sum, _p, digit) => sum + expected(digit, maxAttempts).attempts, 0);
      expect(result.counters.calls.placed).toBe(totalAttempts);
      expect(result.counters.contacts.completed + result.counters.contacts.failed).toBe(10);
      const record = await engine.store.getCampaign(campaignId);
      expect(record?.status).toBe('completed');
      expect(record?.counts).toEqual(result.counters);
      expect(await engine.store.countContacts(record!)).toEqual({
        completed: result.counters.contacts.completed,
        failed: result.counters.contacts.failed,
      });
    },
  );
});
