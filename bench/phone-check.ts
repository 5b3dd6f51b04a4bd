import { normalizePhone } from '../src/phones/normalize';
import { timezonesForNumber } from '../src/phones/timezones';
import { benchContacts, percentile, round } from './client';

/**
 * `npx tsx bench/phone-check.ts [numbers] [rounds]`: what checking an upload's numbers costs, as a
 * start checks them: `numbers` (default 1,000) numbers never seen before, normalised and validated
 * with libphonenumber, then their time zones looked up; p50 of `rounds` (default 40) in ms.
 */
function main(): void {
  const [numbers = 1000, rounds = 40] = process.argv.slice(2).map(Number);
  if (![numbers, rounds].every((n) => Number.isInteger(n) && n > 0)) {
    console.error('usage: npx tsx bench/phone-check.ts [numbers] [rounds]');
    process.exit(2);
  }
  const checks: number[] = [];
  const zones: number[] = [];
  for (let run = 0; run < rounds; run++) {
    // A seed of its own each round: numbers already seen would be answered from the memo.
    const contacts = benchContacts(numbers, 50_000 + run);
    const started = performance.now();
    const phones = contacts.map((c) => normalizePhone(c.phone_number, 'US'));
    const checked = performance.now();
    for (const phone of phones) if (phone.ok) timezonesForNumber(phone.e164);
    zones.push(performance.now() - checked);
    checks.push(checked - started);
  }
  console.log(
    `${numbers} new numbers, p50 of ${rounds}: normalised and validated ${round(percentile(checks, 50))} ms, ` +
      `time zones ${round(percentile(zones, 50))} ms`,
  );
}

main();
