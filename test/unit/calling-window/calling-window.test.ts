import {
  DEFAULT_CALLING_HOURS,
  isInsideWindow,
  nextDialTime,
  SEARCH_HORIZON_MS,
  windowStatusAt,
  weekdays,
  type CallingHours,
  type Weekday,
} from '../../../src/domain/calling-window';
import { timezonesForNumber } from '../../../src/phones/timezones';
import { at, insideByWallClock, local } from './wall-clock';

const NY = 'America/New_York';
const DAY_MS = 86_400_000;

const on = (day: Weekday, start: string, end: string): CallingHours => ({ days: [{ day, start, end }] });
const weekdaysOnly = (start: string, end: string): CallingHours => ({
  days: weekdays.slice(0, 5).map((day) => ({ day, start, end })),
});

/** The next dial time from `desired`, shown on the wall clock of `zones[0]`. */
const next = (desired: string, zones: string[], hours: CallingHours = DEFAULT_CALLING_HOURS) =>
  local(nextDialTime(at(desired), hours, zones), zones[0] ?? 'UTC');

describe('America/New_York across the 2026 spring-forward (2026-03-08, 02:00 EST → 03:00 EDT)', () => {
  it('opens at 08:00 local on the morning of the change', () => {
    expect(next('2026-03-08T05:00-04:00', [NY])).toBe('2026-03-08T08:00:00-04:00');
    expect(next('2026-03-08T01:30-05:00', [NY])).toBe('2026-03-08T08:00:00-04:00');
  });

  it('moves a late evening to 08:00 the next day, nine real hours later across the change', () => {
    const desired = at('2026-03-07T22:00-05:00');
    const result = nextDialTime(desired, DEFAULT_CALLING_HOURS, [NY]);
    expect(local(result, NY)).toBe('2026-03-08T08:00:00-04:00');
    expect(result! - desired).toBe(9 * 3_600_000);
  });

  it('leaves a time inside the window unchanged, to the millisecond', () => {
    const desired = at('2026-03-08T12:34:56.789-04:00');
    expect(nextDialTime(desired, DEFAULT_CALLING_HOURS, [NY])).toBe(desired);
  });

  it('treats 21:00 as closed and waits for 08:00 the next day', () => {
    expect(isInsideWindow(at('2026-03-08T20:59:59.999-04:00'), DEFAULT_CALLING_HOURS, [NY])).toBe(true);
    expect(isInsideWindow(at('2026-03-08T21:00-04:00'), DEFAULT_CALLING_HOURS, [NY])).toBe(false);
    expect(next('2026-03-08T21:00-04:00', [NY])).toBe('2026-03-09T08:00:00-04:00');
  });

  it('opens a window that starts in the skipped hour at the first instant after the skip', () => {
    expect(next('2026-03-08T00:00-05:00', [NY], on('sunday', '02:30', '04:00'))).toBe(
      '2026-03-08T03:00:00-04:00',
    );
  });

  it('skips a window lying wholly in the skipped hour and finds it a week later', () => {
    expect(next('2026-03-08T00:00-05:00', [NY], on('sunday', '02:00', '02:45'))).toBe(
      '2026-03-15T02:00:00-04:00',
    );
  });
});

describe('America/New_York across the 2026 fall-back (2026-11-01, 02:00 EDT → 01:00 EST)', () => {
  it('moves a late evening to 08:00 the next day, eleven and a half real hours later', () => {
    const desired = at('2026-10-31T21:30-04:00');
    const result = nextDialTime(desired, DEFAULT_CALLING_HOURS, [NY]);
    expect(local(result, NY)).toBe('2026-11-01T08:00:00-05:00');
    expect(result! - desired).toBe(11.5 * 3_600_000);
  });

  it('closes at 21:00 standard time on the day of the change', () => {
    expect(isInsideWindow(at('2026-11-01T20:59-05:00'), DEFAULT_CALLING_HOURS, [NY])).toBe(true);
    expect(next('2026-11-01T21:00-05:00', [NY])).toBe('2026-11-02T08:00:00-05:00');
  });

  it('counts both passes through the repeated hour by their wall-clock time', () => {
    const hours = on('sunday', '01:00', '01:30');
    expect(isInsideWindow(at('2026-11-01T01:15-04:00'), hours, [NY])).toBe(true);
    expect(isInsideWindow(at('2026-11-01T01:45-04:00'), hours, [NY])).toBe(false);
    expect(isInsideWindow(at('2026-11-01T01:15-05:00'), hours, [NY])).toBe(true);
    expect(next('2026-11-01T01:45-04:00', [NY], hours)).toBe('2026-11-01T01:00:00-05:00');
    expect(windowStatusAt(at('2026-11-01T01:10-04:00'), hours, [NY])).toEqual({
      open: true,
      closesAt: at('2026-11-01T01:30-04:00'),
    });
  });

  it('never dials while the clock shows a time before the window, even after the window began', () => {
    const hours = on('sunday', '01:30', '02:30');
    expect(windowStatusAt(at('2026-11-01T01:45-04:00'), hours, [NY])).toEqual({
      open: true,
      closesAt: at('2026-11-01T01:00-05:00'),
    });
    expect(isInsideWindow(at('2026-11-01T01:10-05:00'), hours, [NY])).toBe(false);
    expect(next('2026-11-01T01:00-05:00', [NY], hours)).toBe('2026-11-01T01:30:00-05:00');
  });
});

describe('days without windows are closed', () => {
  it('waits over the weekend, here into a DST change', () => {
    const hours = weekdaysOnly('09:00', '17:00');
    expect(next('2026-03-06T17:00-05:00', [NY], hours)).toBe('2026-03-09T09:00:00-04:00');
    expect(next('2026-03-07T10:00-05:00', [NY], hours)).toBe('2026-03-09T09:00:00-04:00');
    expect(next('2026-03-09T08:59:59.999-04:00', [NY], hours)).toBe('2026-03-09T09:00:00-04:00');
  });

  it('supports several windows a day, and a window running to midnight', () => {
    const hours: CallingHours = {
      days: [
        { day: 'saturday', start: '10:00', end: '12:00' },
        { day: 'saturday', start: '22:00', end: '24:00' },
        { day: 'sunday', start: '00:00', end: '02:00' },
      ],
    };
    expect(next('2026-06-06T12:00-04:00', [NY], hours)).toBe('2026-06-06T22:00:00-04:00');
    expect(isInsideWindow(at('2026-06-06T23:59:59.999-04:00'), hours, [NY])).toBe(true);
    expect(isInsideWindow(at('2026-06-07T00:00-04:00'), hours, [NY])).toBe(true);
    expect(windowStatusAt(at('2026-06-06T22:30-04:00'), hours, [NY])).toEqual({
      open: true,
      closesAt: at('2026-06-07T02:00-04:00'),
    });
    expect(next('2026-06-07T02:00-04:00', [NY], hours)).toBe('2026-06-13T10:00:00-04:00');
  });
});

describe('Asia/Kolkata (no DST)', () => {
  const IN = ['Asia/Kolkata'];
  it('opens at 08:00, keeps times inside, and moves evenings to the next morning', () => {
    expect(next('2026-06-15T07:59:30+05:30', IN)).toBe('2026-06-15T08:00:00+05:30');
    expect(next('2026-06-15T14:00+05:30', IN)).toBe('2026-06-15T14:00:00+05:30');
    expect(next('2026-06-15T21:00+05:30', IN)).toBe('2026-06-16T08:00:00+05:30');
    expect(next('2026-06-19T18:00+05:30', IN, weekdaysOnly('10:00', '18:00'))).toBe(
      '2026-06-22T10:00:00+05:30',
    );
  });
});

describe('Pacific/Auckland (DST ends 2026-04-05, starts 2026-09-27)', () => {
  const NZ = ['Pacific/Auckland'];
  it('opens at 08:00 standard time after DST ends overnight', () => {
    expect(next('2026-04-04T21:30+13:00', NZ)).toBe('2026-04-05T08:00:00+12:00');
  });

  it('opens at 08:00 daylight time after DST starts overnight', () => {
    expect(next('2026-09-26T22:00+12:00', NZ)).toBe('2026-09-27T08:00:00+13:00');
    expect(next('2026-09-27T00:00+12:00', NZ, on('sunday', '02:15', '04:00'))).toBe(
      '2026-09-27T03:00:00+13:00',
    );
  });
});

describe('Australia/Lord_Howe (half-hour DST: ends 2026-04-05, starts 2026-10-04)', () => {
  const LH = ['Australia/Lord_Howe'];
  it('opens at 08:00 after each change', () => {
    expect(next('2026-04-04T21:00+11:00', LH)).toBe('2026-04-05T08:00:00+10:30');
    expect(next('2026-10-03T22:00+10:30', LH)).toBe('2026-10-04T08:00:00+11:00');
  });

  it('counts the repeated half hour twice and opens a window in the skipped one at its end', () => {
    const repeated = on('sunday', '01:30', '01:45');
    expect(isInsideWindow(at('2026-04-05T01:40+11:00'), repeated, LH)).toBe(true);
    expect(isInsideWindow(at('2026-04-05T01:50+11:00'), repeated, LH)).toBe(false);
    expect(isInsideWindow(at('2026-04-05T01:40+10:30'), repeated, LH)).toBe(true);
    expect(next('2026-10-04T00:00+10:30', LH, on('sunday', '02:00', '03:00'))).toBe(
      '2026-10-04T02:30:00+11:00',
    );
  });
});

describe('several zones: only the hours allowed in all of them', () => {
  const mainland = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'];

  it('opens when it is 08:00 in the west and closes at 21:00 in the east', () => {
    expect(next('2026-06-01T07:00-04:00', mainland)).toBe('2026-06-01T11:00:00-04:00');
    expect(windowStatusAt(at('2026-06-01T12:00-04:00'), DEFAULT_CALLING_HOURS, mainland)).toEqual({
      open: true,
      closesAt: at('2026-06-01T21:00-04:00'),
    });
  });

  it('gives an Australian mobile the hours that fit every zone of +61', () => {
    const zones = timezonesForNumber('+61412345678');
    expect(zones).toContain('Indian/Cocos');
    expect(local(nextDialTime(at('2026-01-15T00:00Z'), DEFAULT_CALLING_HOURS, zones), 'Indian/Cocos')).toBe(
      '2026-01-15T08:00:00+06:30',
    );
    expect(windowStatusAt(at('2026-01-15T05:00Z'), DEFAULT_CALLING_HOURS, zones)).toEqual({
      open: true,
      closesAt: at('2026-01-15T21:00+11:00'),
    });
    expect(windowStatusAt(at('2026-07-15T05:00Z'), DEFAULT_CALLING_HOURS, zones)).toEqual({
      open: true,
      closesAt: at('2026-07-15T21:00+10:30'),
    });
  });

  it('returns null when the windows never overlap', () => {
    const hours: CallingHours = { days: weekdays.map((day) => ({ day, start: '09:00', end: '10:00' })) };
    expect(nextDialTime(at('2026-06-01T00:00Z'), hours, ['America/New_York', 'Asia/Kolkata'])).toBeNull();
    expect(windowStatusAt(at('2026-06-01T00:00Z'), hours, ['America/New_York', 'Asia/Kolkata'])).toEqual({
      open: false,
      opensAt: null,
    });
  });

  it('finds windows that overlap only under other DST states once the change is within the horizon', () => {
    const hours: CallingHours = { days: weekdays.map((day) => ({ day, start: '09:00', end: '17:00' })) };
    const zones = ['America/New_York', 'Pacific/Auckland'];
    expect(nextDialTime(at('2026-06-01T00:00Z'), hours, zones)).toBeNull();
    expect(local(nextDialTime(at('2026-09-20T00:00Z'), hours, zones), 'UTC')).toBe('2026-09-26T20:00:00Z');
  });

  it('lets calling hours with their own time zone decide alone', () => {
    const hours = { ...DEFAULT_CALLING_HOURS, timezone: 'Asia/Kolkata' };
    expect(next('2026-06-15T07:00+05:30', [NY], hours)).toBe('2026-06-14T22:30:00-04:00');
    expect(isInsideWindow(at('2026-06-15T09:00+05:30'), hours, [NY])).toBe(true);
  });
});

describe('nothing is dialled at an unknown local time', () => {
  it('refuses when no zone is known, a zone is not a zone, or no day has a window', () => {
    const desired = at('2026-06-01T12:00-04:00');
    expect(nextDialTime(desired, DEFAULT_CALLING_HOURS, [])).toBeNull();
    expect(isInsideWindow(desired, DEFAULT_CALLING_HOURS, [])).toBe(false);
    expect(nextDialTime(desired, DEFAULT_CALLING_HOURS, [NY, 'Mars/Olympus_Mons'])).toBeNull();
    expect(nextDialTime(desired, { ...DEFAULT_CALLING_HOURS, timezone: 'Nowhere' }, [NY])).toBeNull();
    expect(nextDialTime(desired, { days: [] }, [NY])).toBeNull();
  });

  it('throws for a desired time that is not an instant', () => {
    expect(() => nextDialTime(Number.NaN, DEFAULT_CALLING_HOURS, [NY])).toThrow(RangeError);
  });
});

describe('the search horizon', () => {
  it('covers a weekly window that a spring-forward swallows: two weeks from the last one', () => {
    const desired = at('2026-03-01T02:45-05:00');
    const result = nextDialTime(desired, on('sunday', '02:00', '02:45'), [NY]);
    expect(local(result, NY)).toBe('2026-03-15T02:00:00-04:00');
    expect(result! - desired).toBeGreaterThan(13 * DAY_MS);
    expect(result! - desired).toBeLessThan(SEARCH_HORIZON_MS);
  });

  it.each([
    ['America/New_York', '2026-03-08', '2026-11-01'],
    ['Pacific/Auckland', '2026-04-05', '2026-09-27'],
    ['Australia/Lord_Howe', '2026-04-05', '2026-10-04'],
    ['Pacific/Chatham', '2026-04-05', '2026-09-27'],
    ['Antarctica/Troll', '2026-03-29', '2026-10-25'],
  ])('finds a one-minute weekly window just missed before a DST change in %s', (zone, ...changes) => {
    for (const change of changes) {
      for (const time of ['00:00', '01:30', '02:15', '03:00', '12:00', '23:59']) {
        const hours = on('sunday', time, time === '23:59' ? '24:00' : addMinute(time));
        const desired = nextDialTime(at(`${change}T00:00Z`) - 8 * DAY_MS, hours, [zone]);
        expect(desired).not.toBeNull();
        const result = nextDialTime(desired! + 60_000, hours, [zone]);
        expect({ zone, change, time, found: result !== null }).toEqual({ zone, change, time, found: true });
        expect(insideByWallClock(result!, hours, [zone])).toBe(true);
        expect(result! - desired!).toBeLessThan(SEARCH_HORIZON_MS);
      }
    }
  });
});

describe('one module for every workflow of a worker thread', () => {
  // Workers load this module once for all their workflows (src/worker/worker.ts), so its memo of
  // zone offsets outlives each workflow: no answer may depend on the calls made before it.
  it('answers the same after the memo of a zone has filled up and been cleared', () => {
    const times = ['2026-03-08T01:30-05:00', '2026-11-01T01:30-04:00', '2026-06-15T22:00-04:00'].map(at);
    const answers = () =>
      times.map((ms) => ({
        next: nextDialTime(ms, DEFAULT_CALLING_HOURS, [NY]),
        status: windowStatusAt(ms, DEFAULT_CALLING_HOURS, [NY]),
      }));
    const before = answers();
    // One new two-day probe a call over 30 years: more than the 4,096 a zone's memo keeps.
    for (let ms = at('2000-01-01T12:00Z'); ms < at('2030-01-01T12:00Z'); ms += 2 * DAY_MS) {
      windowStatusAt(ms, DEFAULT_CALLING_HOURS, [NY]);
    }
    expect(answers()).toEqual(before);
    expect(before.map(({ next }) => local(next, NY))).toEqual([
      '2026-03-08T08:00:00-04:00',
      '2026-11-01T08:00:00-05:00',
      '2026-06-16T08:00:00-04:00',
    ]);
  });
});

describe('speed', () => {
  // About 0.2 s in plain Node; Jest's sandbox runs this code several times slower.
  it('places 100,000 contacts spread over 2026 in four zones within seconds', () => {
    const zones = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'];
    const year = at('2026-01-01T00:00Z');
    const desired = Array.from({ length: 100_000 }, (_, i) => year + ((i * 97_000_123) % (365 * DAY_MS)));
    desired.slice(0, 1000).forEach((ms) => nextDialTime(ms, DEFAULT_CALLING_HOURS, zones));
    const started = performance.now();
    const found = desired.filter((ms) => nextDialTime(ms, DEFAULT_CALLING_HOURS, zones) !== null).length;
    expect(found).toBe(100_000);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

function addMinute(hhmm: string): string {
  const [hours = 0, minutes = 0] = hhmm.split(':').map(Number);
  const total = hours * 60 + minutes + 1;
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}
