import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  isInsideWindow,
  nextDialTime,
  SEARCH_HORIZON_MS,
  weekdays,
  windowStatusAt,
  type CallingHours,
} from '../../../src/domain/calling-window';
import { insideByWallClock } from './wall-clock';

const MINUTE_MS = 60_000;
const QUARTER_MS = 15 * MINUTE_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * DST-heavy zones, half- and quarter-hour offsets, a two-hour DST jump (Troll) and no DST at all.
 * All their offsets and 2026-2027 offset changes fall on quarter hours of UTC.
 */
const zones = [
  'America/New_York',
  'America/Los_Angeles',
  'America/St_Johns',
  'Europe/London',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Pacific/Auckland',
  'Pacific/Chatham',
  'Australia/Lord_Howe',
  'Australia/Adelaide',
  'Antarctica/Troll',
];
const dstChangeDays = [
  '2026-03-08',
  '2026-03-29',
  '2026-04-05',
  '2026-09-27',
  '2026-10-04',
  '2026-10-25',
  '2026-11-01',
  '2027-03-14',
  '2027-04-04',
  '2027-09-26',
  '2027-10-03',
  '2027-11-07',
];

const clock = (quarter: number) =>
  `${String(Math.floor(quarter / 4)).padStart(2, '0')}:${String((quarter % 4) * 15).padStart(2, '0')}`;

/** Windows start and end on quarter hours, so with these zones being inside is constant on every UTC quarter hour. */
const windowArb = fc
  .record({
    day: fc.constantFrom(...weekdays),
    start: fc.integer({ min: 0, max: 95 }),
    length: fc.integer({ min: 1, max: 96 }),
  })
  .map(({ day, start, length }) => ({ day, start: clock(start), end: clock(Math.min(96, start + length)) }));

const hoursArb: fc.Arbitrary<CallingHours> = fc
  .record({
    days: fc.array(windowArb, { minLength: 1, maxLength: 10 }),
    timezone: fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom(...zones) },
    ),
  })
  .map(({ days, timezone }) => (timezone === undefined ? { days } : { days, timezone }));

const desiredArb = fc.oneof(
  fc.integer({ min: Date.parse('2026-01-01T00:00Z'), max: Date.parse('2027-12-31T23:59Z') }),
  fc.constantFrom(...dstChangeDays).chain((day) =>
    fc.integer({
      min: Date.parse(`${day}T00:00Z`) - 36 * HOUR_MS,
      max: Date.parse(`${day}T00:00Z`) + 36 * HOUR_MS,
    }),
  ),
);

/**
 * Whether some instant in [from, to) is inside by the reference: every minute for the first six
 * hours, then every quarter hour, which misses nothing because being inside only changes on quarter
 * hours (see windowArb). The minute steps guard that argument itself.
 */
function anyInsideBetween(from: number, to: number, hours: CallingHours, deciding: string[]): boolean {
  if (from < to && insideByWallClock(from, hours, deciding)) return true;
  const minuteStepsUntil = Math.min(to, from + 6 * HOUR_MS);
  for (let t = Math.ceil((from + 1) / MINUTE_MS) * MINUTE_MS; t < to;) {
    if (insideByWallClock(t, hours, deciding)) return true;
    t += t < minuteStepsUntil ? MINUTE_MS : QUARTER_MS - (t % QUARTER_MS);
  }
  return false;
}

describe('nextDialTime, for random calling hours, zones and times in 2026-2027', () => {
  it('draws zones whose offsets and offset changes in 2026-2027 fall on UTC quarter hours', () => {
    const offset = (zone: string, ms: number) => DateTime.fromMillis(ms, { zone }).offset;
    const from = Date.parse('2026-01-01T00:00Z');
    const to = Date.parse('2028-01-01T00:00Z');
    let changes = 0;
    for (const zone of zones) {
      for (let t = from; t < to; t += DAY_MS) {
        expect({ zone, onQuarter: offset(zone, t) % 15 === 0 }).toEqual({ zone, onQuarter: true });
        if (offset(zone, t) === offset(zone, t + DAY_MS)) continue;
        let [before, after] = [t, t + DAY_MS];
        while (after - before > 1) {
          const middle = Math.floor((before + after) / 2);
          if (offset(zone, middle) === offset(zone, t)) before = middle;
          else after = middle;
        }
        expect({ zone, change: after % QUARTER_MS }).toEqual({ zone, change: 0 });
        changes += 1;
      }
    }
    expect(changes).toBe(9 * 4);
  });

  it('is the earliest instant inside the window in every zone, or null when there is none', () => {
    fc.assert(
      fc.property(
        hoursArb,
        fc.subarray(zones, { minLength: 1, maxLength: 3 }),
        desiredArb,
        (hours, picked, desired) => {
          const deciding = hours.timezone === undefined ? picked : [hours.timezone];
          const result = nextDialTime(desired, hours, picked);

          expect(isInsideWindow(desired, hours, picked)).toBe(insideByWallClock(desired, hours, deciding));
          if (result === null) {
            expect(anyInsideBetween(desired, desired + SEARCH_HORIZON_MS, hours, deciding)).toBe(false);
            // One zone always finds its next window within the horizon, whatever DST does.
            expect(deciding.length).toBeGreaterThan(1);
            return;
          }
          expect(result).toBeGreaterThanOrEqual(desired);
          expect(result).toBeLessThan(desired + SEARCH_HORIZON_MS);
          expect(isInsideWindow(result, hours, picked)).toBe(true);
          expect(insideByWallClock(result, hours, deciding)).toBe(true);
          expect(anyInsideBetween(desired, result, hours, deciding)).toBe(false);

          const status = windowStatusAt(desired, hours, picked);
          if (!status.open) expect(status.opensAt).toBe(result);
          else if (status.closesAt !== null) {
            expect(insideByWallClock(status.closesAt - 1, hours, deciding)).toBe(true);
            expect(insideByWallClock(status.closesAt, hours, deciding)).toBe(false);
          }
        },
      ),
      { numRuns: 500, seed: 20260308 },
    );
  });
});
