import { presentContact } from '../../src/api/v1/present';
import type { ContactDoc } from '../../src/campaigns/model';
import { contactIdFor } from '../../src/campaigns/store';
import { timezonesForNumber } from '../../src/phones/timezones';
import { ALWAYS_OPEN } from '../support/campaigns';
import { startEngine, type Engine } from '../support/engine';
import { numbers } from './voicegenie/support';

describe('contacts as stored', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({ simCallMs: 20 });
  });
  afterAll(async () => {
    await engine?.stop();
  });

  const newCampaign = (name: string) =>
    engine.service.createCampaign(engine.accountId, { name, agentId: 'agent-1', callingHours: ALWAYS_OPEN });

  it("keeps a contact's zones only when it named its own, and presents and dials the number's otherwise", async () => {
    const [own, derived] = numbers([1, 2], 8401) as [string, string];
    const campaign = await newCampaign('zones');
    const uploaded = await engine.service.uploadContacts(engine.accountId, campaign._id, [
      { phone_number: own, timezone: 'Europe/Paris' },
      { phone_number: derived },
    ]);

    const stored = await engine.store.contacts.find({ campaignId: campaign._id }).sort({ seq: 1 }).toArray();
    expect(stored.map((c) => [c.phone, c.timezones])).toEqual([
      [own, ['Europe/Paris']],
      [derived, undefined],
    ]);
    // Nor an account (the campaign's) or a count of dials before the first.
    expect(stored.every((c) => !('accountId' in c) && !('attempts' in c))).toBe(true);
    expect(stored.map((c) => presentContact(c).attempts)).toEqual([0, 0]);
    const numberZones = timezonesForNumber(derived);
    expect(numberZones[0]).toMatch(/^America\//);
    expect(stored.map((c) => presentContact(c).timezones)).toEqual([['Europe/Paris'], numberZones]);

    const batch = await engine.store.getBatch(campaign._id, uploaded.campaign.batches[0] as string);
    expect(batch?.refs.map((r) => [r.phone, r.timezones])).toEqual([
      [own, ['Europe/Paris']],
      [derived, numberZones],
    ]);
  });

  it('takes over the contacts of an upload that never committed, with the new upload’s fields', async () => {
    const [lost, fresh] = numbers([3, 0], 8402) as [string, string];
    const campaign = await newCampaign('adopted');
    // What an upload leaves when its process dies after writing its contacts, before its batch.
    const orphan: ContactDoc = {
      _id: contactIdFor(campaign, lost),
      campaignId: campaign._id,
      uploadId: 'an upload that never committed',
      seq: 1,
      phone: lost,
      rawPhone: `${lost.slice(0, 2)} ${lost.slice(2)}`,
      timezones: ['Europe/Paris'],
      status: 'pending',
      createdAt: new Date(),
    };
    await engine.store.insertContacts([orphan]);

    const uploaded = await engine.service.uploadContacts(engine.accountId, campaign._id, [
      { phone_number: lost, name: 'Lee' },
      { phone_number: fresh },
    ]);

    expect(uploaded).toMatchObject({ uploaded: 2, duplicates: 0 });
    const uploadId = uploaded.campaign.batches[0] as string;
    const taken = await engine.store.getContact(orphan._id);
    expect(taken).toMatchObject({ uploadId, name: 'Lee', phone: lost });
    expect(taken?.rawPhone).toBeUndefined();
    expect(taken?.timezones).toBeUndefined();
    expect(uploaded.campaign.counts.total).toBe(2);
    const batch = await engine.store.getBatch(campaign._id, uploadId);
    expect(batch?.refs.map((r) => [r.phone, r.timezones])).toEqual([
      [lost, timezonesForNumber(lost)],
      [fresh, timezonesForNumber(fresh)],
    ]);
  });
});
