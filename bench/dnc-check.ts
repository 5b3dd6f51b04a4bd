import type { Db } from 'mongodb';
import { DncStore } from '../src/dnc/store';
import { countArgs } from './client';
import { printReads, timeReads, withLocalMongo, type ReadCases } from './local-mongo';

/** Numbers one `add` writes. */
const ADD_CHUNK = 1000;

/** The sizes a run measures unless told others: the command's defaults, and `npm run bench`'s. */
export const DNC_CHECK_SIZES: [entries: number, upload: number] = [100_000, 1_000];

/**
 * `npx tsx bench/dnc-check.ts [entries] [upload]`: what checking an upload's numbers against the
 * do-not-call lists costs on the local MongoDB-wire server when the account's list holds `entries`
 * numbers (default 100,000) and another account's as many: an upload of `upload` numbers (default
 * 1,000, every tenth on the list), the median of 5 in ms; beside it, the read of the whole lists
 * that the check made before, one dial's check and a page of the list.
 */
export async function dncCheckReads(db: Db, entries: number, upload: number): Promise<ReadCases> {
  const dnc = new DncStore(db);
  const number = (n: number) => `+1212${String(1_000_000 + n).padStart(7, '0')}`;
  for (const account of ['account', 'another account']) {
    for (let n = 0; n < entries; n += ADD_CHUNK) {
      const phones = Array.from({ length: Math.min(ADD_CHUNK, entries - n) }, (_, i) => number(n + i));
      await dnc.add(account, phones, { source: 'csv' });
    }
  }
  const uploaded = Array.from({ length: upload }, (_, i) => number(i % 10 === 0 ? i : entries + i));
  const campaignId = 'campaign';
  const blocked = await dnc.blockedAmong('account', campaignId, uploaded);
  const entriesOf = db.collection('dnc');
  const cases: [string, () => Promise<unknown>][] = [
    [
      `an upload of ${upload} numbers (${blocked.size} on the list)`,
      () => dnc.blockedAmong('account', campaignId, uploaded),
    ],
    [
      'the lists read whole, as before',
      () =>
        entriesOf
          .find(
            { accountId: 'account', campaignId: { $in: [null, campaignId] } },
            { projection: { phone: 1 } },
          )
          .toArray(),
    ],
    ['one dial', () => dnc.isBlocked('account', campaignId, number(0))],
    ["a page of the account's list (the newest 100)", () => dnc.list('account', { limit: 100, offset: 0 })],
  ];
  return { title: `${entries} numbers on the account's list, as many on another account's`, runs: 5, cases };
}

if (require.main === module) {
  const [entries, upload] = countArgs('npx tsx bench/dnc-check.ts [entries] [upload]', ...DNC_CHECK_SIZES);
  void withLocalMongo('dnc-check', async (db) =>
    printReads(await timeReads(await dncCheckReads(db, entries, upload))),
  );
}
