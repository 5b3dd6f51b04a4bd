import type { Db } from 'mongodb';
import { CampaignReports } from '../src/campaigns/reports';
import { CampaignStore, contactIdFor, contactIdPrefix, newCampaignId } from '../src/campaigns/store';
import type { CallDoc, CampaignDoc, ContactDoc } from '../src/campaigns/model';
import { contactWorkflowId, dialIdempotencyKey } from '../src/domain/ids';
import { countArgs } from './client';
import { printReads, timeReads, withLocalMongo, type ReadCases } from './local-mongo';

type Campaign = Pick<CampaignDoc, '_id' | 'contactIdPrefix' | 'batches'>;

/** The sizes a run measures unless told others: the command's defaults, and `npm run bench`'s. */
export const CAMPAIGN_REPORTS_SIZES: [campaigns: number, contacts: number] = [100, 1_000];

/**
 * `npx tsx bench/campaign-reports.ts [campaigns] [contacts]`: what the reports and listings of one
 * campaign cost on the local MongoDB-wire server when the database holds `campaigns` campaigns
 * (default 100) of `contacts` contacts (default 1,000), each contact with one call: the median of
 * 5 of each in ms. Beside them, the filters by `campaignId` that those reads used before (FerretDB
 * v1 reads every call or contact of the database for them), and the reads of a campaign created
 * before its contact ids began with its own (its contacts still read that way).
 */
export async function campaignReportsReads(
  db: Db,
  campaigns: number,
  perCampaign: number,
): Promise<ReadCases> {
  const store = new CampaignStore(db);
  const reports = new CampaignReports(store);
  const now = new Date();
  const write = async (campaign: Campaign) => {
    const contacts: ContactDoc[] = [];
    const calls: CallDoc[] = [];
    for (let n = 0; n < perCampaign; n += 1) {
      const phone = `+1415${String(5_000_000 + n)}`;
      const contactId = contactIdFor(campaign, phone);
      const campaignId = campaign._id;
      contacts.push({
        _id: contactId,
        campaignId,
        uploadId: 'u1',
        seq: n,
        phone,
        status: 'completed',
        createdAt: now,
      });
      calls.push({
        _id: dialIdempotencyKey(contactWorkflowId(campaignId, contactId), 1),
        callId: `call-${contactId}`,
        campaignId,
        contactId,
        accountId: 'account',
        attempt: 1,
        phone,
        status: 'ended',
        outcome: 'answered',
        durationS: 30,
        createdAt: now,
        endedAt: now,
      });
    }
    await store.contacts.insertMany(contacts);
    await store.calls.insertMany(calls);
  };
  const created = (withPrefix: boolean): Campaign => {
    const _id = newCampaignId();
    return { _id, batches: ['u1'], ...(withPrefix && { contactIdPrefix: contactIdPrefix(_id) }) };
  };
  const older = created(false);
  await write(older);
  let newest = older;
  for (let c = 1; c < campaigns; c += 1) {
    newest = created(true);
    await write(newest);
  }
  const page = { limit: 50, offset: 0 };
  const cases: [string, () => Promise<unknown>][] = [
    ['call statistics', () => reports.callStats([newest._id])],
    ['call history, a page', () => reports.history(newest, page)],
    ['every call (the CSV)', () => reports.allCalls(newest)],
    ['calls, a page', () => store.listCalls(newest._id, page)],
    ['calls counted', () => store.countCalls(newest._id)],
    ['contacts, a page', () => store.listContacts(newest, page)],
    ['contacts counted', () => store.countContacts(newest)],
    ['contacts still to call (a v2 start)', () => reports.scheduleSplit(newest)],
    ['calls by campaignId, as before', () => store.calls.find({ campaignId: newest._id }).toArray()],
    ['contacts by campaignId, as before', () => store.contacts.find({ campaignId: newest._id }).toArray()],
    ['contacts, a page, of a campaign created before', () => store.listContacts(older, page)],
  ];
  return { title: `${campaigns} campaigns of ${perCampaign} contacts, one call each`, runs: 5, cases };
}

if (require.main === module) {
  const [campaigns, perCampaign] = countArgs(
    'npx tsx bench/campaign-reports.ts [campaigns] [contacts]',
    ...CAMPAIGN_REPORTS_SIZES,
  );
  void withLocalMongo('campaign-reports', async (db) =>
    printReads(await timeReads(await campaignReportsReads(db, campaigns, perCampaign))),
  );
}
