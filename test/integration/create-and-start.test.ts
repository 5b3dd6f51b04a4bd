import { Client } from '@temporalio/client';
import { presentContact } from '../../src/api/v1/present';
import { CampaignService } from '../../src/campaigns/service';
import { finishedContacts } from '../../src/domain/counters';
import { campaignWorkflowId } from '../../src/domain/ids';
import type { CampaignResult } from '../../workflows/campaign';
import type { CampaignStore } from '../../src/campaigns/store';
import { ALWAYS_OPEN } from '../support/campaigns';
import { startEngine, type Engine } from '../support/engine';
import { numbers } from './voicegenie/support';

describe('create, upload and start in one step', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({ simCallMs: 20 });
  });
  afterAll(async () => {
    await engine?.stop();
  });

  const settings = { name: 'one step', agentId: 'agent-1', callingHours: ALWAYS_OPEN };
  const contacts = numbers([1, 2, 3], 8301).map((phone_number) => ({ phone_number }));

  /** The engine's service, with a store whose `method` fails or on a namespace Temporal does not have. */
  const failingService = (failing: { store: keyof CampaignStore } | { namespace: string }) => {
    const store = Object.create(engine.store) as CampaignStore;
    if ('store' in failing) {
      Object.assign(store, { [failing.store]: () => Promise.reject(new Error(`${failing.store} failed`)) });
    }
    const temporal =
      'namespace' in failing
        ? new Client({ connection: engine.client.connection, namespace: failing.namespace })
        : engine.client;
    return new CampaignService({
      store,
      dnc: engine.dnc,
      temporal,
      taskQueue: engine.taskQueue,
      defaultRegion: 'US',
      log: engine.ctx.log,
    });
  };

  it('writes the campaign, its contacts and their batch, and the campaign runs to completed', async () => {
    const { campaign, upload } = await engine.service.createAndStart(engine.accountId, settings, contacts);
    expect(campaign.status).toBe('running');
    expect(campaign.counts.total).toBe(3);
    expect(upload.uploaded).toBe(3);
    expect(await engine.store.contacts.countDocuments({ campaignId: campaign._id })).toBe(3);
    const handle = engine.client.workflow.getHandle(campaignWorkflowId(campaign._id));
    const result = (await handle.result()) as CampaignResult;
    expect(result.status).toBe('completed');
    expect(result.counters.total).toBe(3);
    expect(finishedContacts(result.counters)).toBe(3);
    expect(result.counters.calls.placed).toBe(3);
  });

  it.each(['insertContacts', 'saveBatch', 'insertCampaign'] as const)(
    'leaves no campaign when %s fails',
    async (method) => {
      const { accountId } = await engine.newAccount();
      const service = failingService({ store: method });
      await expect(service.createAndStart(accountId, settings, contacts)).rejects.toThrow(`${method} failed`);
      expect(await engine.store.campaigns.countDocuments({ accountId })).toBe(0);
    },
  );

  it('deletes the campaign when its workflow does not start', async () => {
    const { accountId } = await engine.newAccount();
    const service = failingService({ namespace: 'no-such-namespace' });
    await expect(service.createAndStart(accountId, settings, contacts)).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
    expect(await engine.service.listCampaigns(accountId, { limit: 10, offset: 0 })).toEqual([]);
    const kept = await engine.store.campaigns.findOne({ accountId });
    expect(kept).toMatchObject({ status: 'draft', deletedAt: expect.any(Date) as Date });
    expect(kept?.startedAt).toBeUndefined();
  });

  it('refuses the whole request, naming every problem, and keeps no contact of its written parts', async () => {
    const { accountId } = await engine.newAccount();
    const many = numbers([1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0], 8302).map((phone_number) => ({
      phone_number,
    }));
    many[9] = { phone_number: '12' };
    many[11] = { phone_number: 'call me' };
    await expect(engine.service.createAndStart(accountId, settings, many)).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      details: {
        issues: [
          { path: 'contacts.9.phone_number', message: expect.any(String) as string },
          {
            path: 'contacts.11.phone_number',
            message: 'contains letters (extensions and vanity numbers cannot be dialled)',
          },
        ],
      },
    });
    expect(await engine.store.campaigns.countDocuments({ accountId })).toBe(0);
    const valid = many.map((c) => c.phone_number).filter((n) => n.startsWith('+'));
    expect(valid).toHaveLength(10);
    expect(await engine.store.contacts.countDocuments({ phone: { $in: valid } })).toBe(0);
  });

  it('keeps the contacts in upload order across the parts it writes', async () => {
    const phones = numbers([1, 2, 3, 0, 1, 2, 3, 0, 1, 2], 8303);
    const { campaign } = await engine.service.createAndStart(
      engine.accountId,
      { ...settings, name: 'ordered' },
      phones.map((phone_number) => ({ phone_number })),
    );
    const stored = await engine.store.contacts.find({ campaignId: campaign._id }).toArray();
    expect(stored.sort((a, b) => a.seq - b.seq).map((c) => c.phone)).toEqual(phones);
    const batch = await engine.store.getBatch(campaign._id, campaign.batches[0] as string);
    expect(batch?.refs.map((r) => r.phone)).toEqual(phones);
  });

  it('keeps the written form of a number only when it is not E.164, and presents both as before', async () => {
    const [plain, spaced] = numbers([1, 2], 8304) as [string, string];
    const written = `${spaced.slice(0, 2)} ${spaced.slice(2, 5)} ${spaced.slice(5)}`;
    const { campaign } = await engine.service.createAndStart(
      engine.accountId,
      { ...settings, name: 'forms' },
      [{ phone_number: plain }, { phone_number: written }],
    );
    const stored = await engine.store.contacts.find({ campaignId: campaign._id }).sort({ seq: 1 }).toArray();
    expect(stored.map((c) => [c.phone, c.rawPhone])).toEqual([
      [plain, undefined],
      [spaced, written],
    ]);
    // As presented before any change to it (the campaign is already calling it).
    const [first] = stored;
    expect(first && presentContact({ ...first, updatedAt: undefined })).toMatchObject({
      phone_number: plain,
      raw_phone_number: plain,
      updated_at: first?.createdAt.toISOString(),
    });
  });
});
