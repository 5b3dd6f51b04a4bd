import { campaignWorkflowId } from '../../src/domain/ids';
import { syntheticNumbers } from '../../src/phones/synthetic-numbers';
import type { CampaignResult } from '../../workflows/campaign';
import { ALWAYS_OPEN, expectCountersToMatchRecords } from '../support/campaigns';
import { startEngine, type Engine } from '../support/engine';

interface Reply<T> {
  status: number;
  body: { success: boolean; data: T; message: string };
}

describe('a 2,000-contact campaign through the API and the simulated carrier', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({ simCallMs: 20 });
  });
  afterAll(async () => {
    await engine.stop();
  });

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Reply<T>> {
    const res = await fetch(`${engine.apiUrl}${path}`, {
      method,
      headers: { 'x-api-key': engine.apiKey, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Reply<T>['body'] };
  }

  // The dev server on SQLite runs some 15 contacts a second on two cores: minutes, not seconds.
  it('completes, with counters equal to the ledger and to the MongoDB records', async () => {
    const created = await call<{ campaign: { _id: string } }>('POST', '/createCampaign', {
      campaignName: 'Two thousand',
      agentId: 'agent-2000',
      maxConcurrentCalls: 50,
      callingHours: ALWAYS_OPEN,
      redialConfig: { enabled: true, maxAttempts: 2, retryIntervals: [1] },
    });
    expect(created.status).toBe(200);
    const campaignId = created.body.data.campaign._id;

    const phones = syntheticNumbers({ count: 2000, seed: 2000, lastDigit: (i) => i % 10 });
    for (const part of [phones.slice(0, 1000), phones.slice(1000)]) {
      const upload = await call<{ uploaded_count: number; failed_count: number }>(
        'POST',
        '/uploadCampaignData',
        {
          campaign_id: campaignId,
          contacts: part.map((phone_number, i) => ({ phone_number, name: `Contact ${i}` })),
        },
      );
      expect(upload.status).toBe(200);
      expect(upload.body.data).toMatchObject({ uploaded_count: 1000, failed_count: 0 });
    }
    const started = await call<{ total_contacts: number; status: string }>(
      'GET',
      `/startCampaignv2/${campaignId}`,
    );
    expect(started.status).toBe(200);
    expect(started.body.data).toMatchObject({ total_contacts: 2000, status: 'in_progress' });

    const result = (await engine.client.workflow
      .getHandle(campaignWorkflowId(campaignId))
      .result()) as CampaignResult;
    expect(result.status).toBe('completed');
    const { counters } = result;
    expect(counters.total).toBe(2000);
    expect(counters.contacts.completed + counters.contacts.failed + counters.contacts.skipped_dnc).toBe(2000);

    await expectCountersToMatchRecords(engine, campaignId, counters, 50);

    // And what the API answers after the end, from the record.
    const statuses = await call<{ campaigns: { campaign_id: string; status: string }[] }>(
      'GET',
      '/getCampaignStatuses?status=completed',
    );
    expect(statuses.body.data.campaigns.map((c) => c.campaign_id)).toContain(campaignId);
  }, 900_000);
});
