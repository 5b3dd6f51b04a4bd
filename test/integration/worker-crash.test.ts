import { campaignWorkflowId } from '../../src/domain/ids';
import { finalContactStatuses } from '../../src/domain/status';
import { syntheticNumbers } from '../../src/phones/synthetic-numbers';
import type { CampaignResult } from '../../workflows/campaign';
import { launchCampaign } from '../support/campaigns';
import { startEngine, type Engine } from '../support/engine';
import { waitFor } from '../support/wait';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

describe('a worker killed with SIGKILL mid-campaign', () => {
  let engine: Engine;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    engine = await startEngine({ simCallMs: 100, inProcessWorkers: false });
  });
  afterAll(async () => {
    await worker?.stop();
    await engine.stop();
  });

  it('is replaced, the campaign completes, every contact is final, and no key is dialed twice', async () => {
    const contacts = 300;
    const phones = syntheticNumbers({ count: contacts, seed: 41, lastDigit: (i) => i % 10 });
    worker = startWorkerProcess(engine.workerEnv);
    const campaignId = await launchCampaign(
      engine,
      { maxConcurrentCalls: 20, redialConfig: { enabled: true, maxAttempts: 2, retryIntervals: [1] } },
      phones.map((phone_number) => ({ phone_number })),
    );
    await waitFor(
      'a third of the calls',
      () => (engine.carrier.ledger.stats().callsPlaced >= 100 ? true : undefined),
      180_000,
    );
    await worker.kill();
    const placedAtKill = engine.carrier.ledger.stats().callsPlaced;
    expect(placedAtKill).toBeLessThan(contacts);
    worker = startWorkerProcess(engine.workerEnv);

    const result = (await engine.client.workflow
      .getHandle(campaignWorkflowId(campaignId))
      .result()) as CampaignResult;
    expect(result.status).toBe('completed');

    const records = await engine.store.contacts.find({ campaignId }).toArray();
    expect(records).toHaveLength(contacts);
    expect(records.filter((c) => !(finalContactStatuses as readonly string[]).includes(c.status))).toEqual(
      [],
    );

    const calls = engine.carrier.ledger.calls({ campaignId });
    const keys = calls.map((c) => c.idempotencyKey);
    expect(new Set(keys).size).toBe(keys.length);
    const attempts = records.reduce((sum, c) => sum + (c.attempts ?? 0), 0);
    expect(calls).toHaveLength(attempts);
    expect(result.counters.calls.placed).toBe(attempts);
    expect(await engine.store.countContacts((await engine.store.getCampaign(campaignId))!)).toEqual(
      Object.fromEntries(Object.entries(result.counters.contacts).filter(([, n]) => n > 0)),
    );
  });
});
