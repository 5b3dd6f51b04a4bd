import type { Db } from 'mongodb';
import { CampaignStore } from '../src/campaigns/store';
import { answersFromIndexes } from '../src/mongo/db';
import { benchCampaign } from './campaign-docs';
import { countArgs } from './client';
import { printReads, timeReads, withLocalMongo, type ReadCases } from './local-mongo';

/** Campaigns one insertMany writes. */
const INSERT_CHUNK = 1_000;

/** The sizes a run measures unless told others: the command's defaults, and `npm run bench`'s. */
export const CAMPAIGN_LISTING_SIZES: [campaigns: number, accounts: number] = [10_000, 100];

/**
 * `npx tsx bench/campaign-listing.ts [campaigns] [accounts]`: what listing one account's campaigns
 * costs on the local MongoDB-wire server when the database holds `campaigns` campaigns (default
 * 10,000) spread over `accounts` accounts (default 100), with the indexes the engine creates there:
 * the median of 9 of each in ms. Beside them, the same filters with the account written as
 * `{$eq: …}`, which no build of FerretDB v1 hands to SQLite: how every filter on a campaign's
 * fields was read before (each campaign of every account decoded and tested by the server).
 */
export async function campaignListingReads(db: Db, count: number, accounts: number): Promise<ReadCases> {
  const store = new CampaignStore(db);
  await store.ensureIndexes({
    queryIndexes: answersFromIndexes(await db.admin().command({ buildInfo: 1 })),
  });
  const start = Date.UTC(2026, 0, 1);
  const campaign = (n: number) =>
    benchCampaign(n, {
      accountId: `account-${n % accounts}`,
      status: n % 20 === 0 ? 'running' : 'completed',
      createdAt: new Date(start + n * 60_000),
    });
  for (let n = 0; n < count; n += INSERT_CHUNK) {
    const chunk = Array.from({ length: Math.min(INSERT_CHUNK, count - n) }, (_, i) => campaign(n + i));
    await store.campaigns.insertMany(chunk);
  }
  const account = `account-${accounts - 1}`;
  const page = { limit: 20, offset: 0 };
  const notPushed = { $eq: account };
  const cases: [string, () => Promise<unknown>][] = [
    ['a page of 20 of the account, newest first', () => store.listCampaigns(account, page)],
    ['a page of its running ones', () => store.listCampaigns(account, { ...page, statuses: ['running'] })],
    ['the ids of its live ones (the admin)', () => store.activeCampaignIds(account)],
    [
      'how many it has (Volt MX)',
      () => store.campaigns.countDocuments({ accountId: account, deletedAt: { $exists: false } }),
    ],
    [
      'the page, as before',
      () =>
        store.campaigns
          .find({ accountId: notPushed, deletedAt: { $exists: false } }, { projection: { batches: 0 } })
          .sort({ createdAt: -1 })
          .limit(20)
          .toArray(),
    ],
    [
      'how many, as before',
      () => store.campaigns.countDocuments({ accountId: notPushed, deletedAt: { $exists: false } }),
    ],
  ];
  return { title: `${count} campaigns over ${accounts} accounts`, runs: 9, cases };
}

if (require.main === module) {
  const [count, accounts] = countArgs(
    'npx tsx bench/campaign-listing.ts [campaigns] [accounts]',
    ...CAMPAIGN_LISTING_SIZES,
  );
  void withLocalMongo('campaign-listing', async (db) =>
    printReads(await timeReads(await campaignListingReads(db, count, accounts))),
  );
}
