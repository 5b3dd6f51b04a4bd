import { DateTime } from 'luxon';
import type { CallingHours } from '../../../src/domain/calling-window';

/** Epoch milliseconds of an ISO time with an explicit offset, unambiguous even in a repeated hour. */
export function at(isoWithOffset: string): number {
  const time = DateTime.fromISO(isoWithOffset, { setZone: true });
  if (!time.isValid || !/([+-]\d\d:\d\d|Z)$/.test(isoWithOffset))
    throw new Error(`bad test time ${isoWithOffset}`);
  return time.toMillis();
}

/** An instant as the wall clock of `zone` shows it, with its offset, for readable expectations. */
export function local(ms: number | null, zone: string): string | null {
  return ms === null ? null : DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true });
}

const dayNames = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/**
 * The reference the calling-window module is checked against: reads each zone's wall clock with
 * luxon and compares it with the windows as written, sharing no code with the module.
 */
export function insideByWallClock(ms: number, hours: CallingHours, zones: readonly string[]): boolean {
  const deciding = hours.timezone === undefined ? zones : [hours.timezone];
  return (
    deciding.length > 0 &&
    deciding.every((zone) => {
      const time = DateTime.fromMillis(ms, { zone });
      const minute = time.hour * 60 + time.minute + time.second / 60 + time.millisecond / 60_000;
      return hours.days.some(
        (window) =>
          window.day === dayNames[time.weekday - 1] &&
          minutesOf(window.start) <= minute &&
          minute < minutesOf(window.end),
      );
    })
  );
}

function minutesOf(hhmm: string): number {
  const [hours = NaN, minutes = NaN] = hhmm.split(':').map(Number);
  return hours * 60 + minutes;
}
