import { CampaignService } from '../../src/campaigns/service';
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

  /** The engine's service over a store whose `method` fails once called. */
  const serviceFailingAt = (method: 'insertContacts' | 'commitBatch') => {
    const store = Object.create(engine.store) as CampaignStore;
    Object.assign(store, { [method]: () => Promise.reject(new Error(`${method} failed`)) });
    return new CampaignService({
      store,
      dnc: engine.dnc,
      temporal: engine.client,
      taskQueue: engine.taskQueue,
      defaultRegion: 'US',
      log: engine.ctx.log,
    });
  };

  it('writes the campaign and its contacts together and starts it', async () => {
    const { campaign, upload } = await engine.service.createAndStart(engine.accountId, settings, contacts);
    expect(campaign.status).toBe('running');
    expect(campaign.counts.total).toBe(3);
    expect(upload.uploaded).toBe(3);
    expect(await engine.store.contacts.countDocuments({ campaignId: campaign._id })).toBe(3);
  });

  it.each(['insertContacts', 'commitBatch'] as const)(
    'leaves no campaign to see or start when %s fails',
    async (method) => {
      const { accountId } = await engine.newAccount();
      await expect(serviceFailingAt(method).createAndStart(accountId, settings, contacts)).rejects.toThrow(
        `${method} failed`,
      );
      const listed = await engine.service.listCampaigns(accountId, { limit: 10, offset: 0 });
      expect(listed).toEqual([]);
      const draft = await engine.store.campaigns.findOne({ accountId });
      expect(draft?.deletedAt).toBeInstanceOf(Date);
      expect(draft?.status).toBe('draft');
    },
  );

  it('refuses the whole request, writing nothing, when a contact cannot be called', async () => {
    const { accountId } = await engine.newAccount();
    await expect(
      engine.service.createAndStart(accountId, settings, [...contacts, { phone_number: '12' }]),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(await engine.store.campaigns.countDocuments({ accountId })).toBe(0);
    expect(await engine.store.contacts.countDocuments({ accountId })).toBe(0);
  });
});
