import { acceptContacts } from '../src/campaigns/service';
import { benchContacts, countArgs, percentile, round } from './client';

/**
 * `npx tsx bench/phone-check.ts [numbers] [rounds]`: what checking an upload's contacts costs, done
 * as a start does it (`acceptContacts`): `numbers` (default 1,000) numbers never seen before,
 * normalised and validated with libphonenumber, their time zones looked up; p50 of `rounds`
 * (default 40) in ms.
 */
function main(): void {
  const [numbers, rounds] = countArgs('npx tsx bench/phone-check.ts [numbers] [rounds]', 1000, 40);
  const checks: number[] = [];
  for (let run = 0; run < rounds; run++) {
    // A seed of its own each round: numbers already seen would be answered from the memo.
    const contacts = benchContacts(numbers, 50_000 + run);
    const started = performance.now();
    const { accepted } = acceptContacts(contacts, { isScheduledCall: false, region: 'US', now: Date.now() });
    checks.push(performance.now() - started);
    if (accepted.length !== numbers) throw new Error(`${numbers - accepted.length} numbers refused`);
  }
  console.log(`${numbers} new numbers, p50 of ${rounds}: checked in ${round(percentile(checks, 50))} ms`);
}

main();
