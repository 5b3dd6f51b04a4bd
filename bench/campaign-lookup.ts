import type { Db } from 'mongodb';
import { CampaignStore } from '../src/campaigns/store';
import { benchCampaign } from './campaign-docs';
import { countArgs } from './client';
import { printReads, timeReads, withLocalMongo, type ReadCases } from './local-mongo';

/** The sizes a run measures unless told others: the command's defaults, and `npm run bench`'s. */
export const CAMPAIGN_LOOKUP_SIZES: [campaigns: number] = [1_000];

/**
 * `npx tsx bench/campaign-lookup.ts [campaigns]`: what finding a campaign by each of its names
 * costs on the local MongoDB-wire server with `campaigns` campaigns stored (default 1,000), the
 * median of 9 of each in ms; beside it, the filter on the campaign's own fields that the lookups by
 * numeric id and code used before (FerretDB v1 reads every campaign for it; the local build has
 * SQLite compare the fields since 402d1f0, which its handler decoded each campaign to do before).
 */
export async function campaignLookupReads(db: Db, count: number): Promise<ReadCases> {
  const store = new CampaignStore(db);
  const now = new Date();
  const campaign = (n: number) => benchCampaign(n, { accountId: `account-${n % 10}`, createdAt: now });
  for (let n = 0; n < count; n += 1) await store.insertCampaign(campaign(n));
  const newest = campaign(count - 1);
  const missing = 'CAMP-1999-001';
  const cases: [string, () => Promise<unknown>][] = [
    ['by id', () => store.findCampaign(newest.accountId, newest._id)],
    ['by numeric id (the newest)', () => store.findCampaign(newest.accountId, String(newest.numericId))],
    ['by code (the newest)', () => store.findCampaign(newest.accountId, newest.code)],
    ['by a code no campaign has', () => store.findCampaign(newest.accountId, missing)],
    [
      'filter {code, accountId}, as before (the newest)',
      () => store.campaigns.findOne({ code: newest.code, accountId: newest.accountId }),
    ],
    [
      'filter {code, accountId}, as before (no such code)',
      () => store.campaigns.findOne({ code: missing, accountId: newest.accountId }),
    ],
  ];
  return { title: `${count} campaigns`, runs: 9, cases };
}

if (require.main === module) {
  const [count] = countArgs('npx tsx bench/campaign-lookup.ts [campaigns]', ...CAMPAIGN_LOOKUP_SIZES);
  void withLocalMongo('campaign-lookup', async (db) =>
    printReads(await timeReads(await campaignLookupReads(db, count))),
  );
}
