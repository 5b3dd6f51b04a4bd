import {
  callsOf,
  contactIdFor,
  contactIdPrefix,
  contactsOf,
  isContactIdOf,
} from '../../../src/campaigns/store';
import { contactWorkflowId, dialIdempotencyKey } from '../../../src/domain/ids';

const campaignId = '65f0c0ffee0000000000abcd';
const created = { _id: campaignId, contactIdPrefix: contactIdPrefix(campaignId) };
const older = { _id: campaignId };
const phone = '+14155550100';

/** Whether a `{$gte, $lt}` range holds `id`, as MongoDB compares strings (by their UTF-8 bytes). */
function holds(range: unknown, id: string): boolean {
  const { $gte, $lt } = range as { $gte: string; $lt: string };
  const cmp = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  return cmp(id, $gte) >= 0 && cmp(id, $lt) < 0;
}

describe('contact ids and the reads of a campaign by _id', () => {
  it("derives a contact's id from its campaign and number, after the campaign's prefix where it has one", () => {
    const id = contactIdFor(created, phone);
    expect(id).toMatch(new RegExp(`^${campaignId}:[0-9a-f]{24}$`));
    expect(contactIdFor(older, phone)).toBe(id.slice(`${campaignId}:`.length));
    expect(contactIdFor(created, '+14155550101')).not.toBe(id);
  });

  it("tells the shape of a campaign's contact ids from a number", () => {
    expect(isContactIdOf(created, contactIdFor(created, phone))).toBe(true);
    expect(isContactIdOf(older, contactIdFor(older, phone))).toBe(true);
    expect(isContactIdOf(created, contactIdFor(older, phone))).toBe(false);
    expect(isContactIdOf(older, contactIdFor(created, phone))).toBe(false);
    expect(isContactIdOf(created, `${campaignId}:${'g'.repeat(24)}`)).toBe(false);
    expect(isContactIdOf(older, '14155550100')).toBe(false);
  });

  it("holds exactly the campaign's contacts and calls in its ranges of _id", () => {
    const contact = contactIdFor(created, phone);
    const key = dialIdempotencyKey(contactWorkflowId(campaignId, contact), 3);
    const contacts = contactsOf(created);
    const calls = callsOf(campaignId);
    expect(contacts.campaignId).toBe(campaignId);
    expect(calls.campaignId).toBe(campaignId);
    expect(holds(contacts._id, contact)).toBe(true);
    expect(holds(calls._id, key)).toBe(true);
    for (const other of [
      '65f0c0ffee0000000000abce:0',
      '65f0c0ffee0000000000abcc',
      campaignId,
      `${campaignId};`,
    ]) {
      expect(holds(contacts._id, other)).toBe(false);
    }
    expect(holds(calls._id, `campaign-${campaignId}-contacts`)).toBe(false);
    expect(holds(calls._id, `campaign-${campaignId}`)).toBe(false);
    expect(contactsOf(older)).toEqual({ campaignId });
  });
});
