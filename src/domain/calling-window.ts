import { IANAZone } from 'luxon';
import type { CallingHours } from './calling-hours-schema';

export type { CallingHours, CallingWindow } from './calling-hours-schema';

/**
 * When a contact may be called. An instant is inside the calling hours in a time zone when that
 * zone's wall clock at the instant (weekday and time of day) falls in one of the weekday's windows,
 * start included, end excluded. Reading the wall clock of each instant, instead of turning "08:00"
 * into an instant once per day, is what keeps DST changes right: a window opening in the hour a
 * spring-forward skips opens at the first instant after the skip, and on a fall-back day the repeated
 * hour is inside exactly when its wall-clock time is.
 *
 * Pure functions of their arguments (time is epoch milliseconds), safe in workflow code. Zone rules
 * come from Intl through luxon.
 */

export const weekdays = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;
export type Weekday = (typeof weekdays)[number];

/** The US TCPA limits: no calls before 8 a.m. or after 9 p.m. at the called party's location. */
export const DEFAULT_CALLING_HOURS: CallingHours = {
  days: weekdays.map((day) => ({ day, start: '08:00', end: '21:00' })),
};

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * How far ahead nextDialTime looks. Calling hours repeat every week of wall-clock time, so in one
 * zone a window opens within a week of any instant, unless a spring-forward swallows that window
 * whole; then the same window a week later is there, as a zone does not skip the same hour two
 * weeks running. A day more covers the gap between wall-clock and UTC days and the hour or two a
 * DST change moves them apart. With several zones the common windows repeat weekly too while no
 * zone changes its offset, so finding none within this horizon means the zones' windows do not
 * overlap under the offsets in force; a later DST change may still make them overlap, so a caller
 * can look again from desired + SEARCH_HORIZON_MS.
 */
export const SEARCH_HORIZON_MS = 15 * DAY_MS;

/** Minutes since midnight of an "HH:mm" time ("24:00" allowed), or NaN for anything else. */
export function clockMinutes(time: string): number {
  if (time.length !== 5 || time[2] !== ':' || digitAt(time, 3) > 5) return NaN;
  const minutes = (digitAt(time, 0) * 10 + digitAt(time, 1)) * 60 + digitAt(time, 3) * 10 + digitAt(time, 4);
  return minutes <= 24 * 60 ? minutes : NaN;
}

/** Parsed by hand rather than by regular expression: this runs for every window on every call. */
function digitAt(text: string, index: number): number {
  const digit = text.charCodeAt(index) - 48;
  return digit >= 0 && digit <= 9 ? digit : NaN;
}

/** True when `ms` is inside the calling hours in every deciding zone (see nextDialTime). */
export function isInsideWindow(ms: number, hours: CallingHours, zones: readonly string[]): boolean {
  const clocks = decidingClocks(hours, zones);
  const week = weekPlan(hours);
  return clocks !== null && clocks.every((clock) => insideAt(ms, clock, week));
}

/**
 * The earliest instant at or after `desiredMs` that is inside the calling hours in every zone of
 * `zones`, or, when `hours.timezone` is set, in that zone alone. Null when there is none within
 * SEARCH_HORIZON_MS, and when no zone is given or a zone is unknown: a call at an unknown local
 * time is never allowed.
 */
export function nextDialTime(
  desiredMs: number,
  hours: CallingHours,
  zones: readonly string[],
): number | null {
  if (!Number.isFinite(desiredMs)) throw new RangeError(`not an instant in epoch milliseconds: ${desiredMs}`);
  const clocks = decidingClocks(hours, zones);
  if (!clocks) return null;
  const week = weekPlan(hours);
  if (clocks.every((clock) => insideAt(desiredMs, clock, week))) return desiredMs;
  const limit = desiredMs + SEARCH_HORIZON_MS;
  const allowed = clocks.map((clock) => new AllowedIntervals(clock, week, desiredMs, limit));
  let t = desiredMs;
  for (;;) {
    let latestStart = t;
    for (const intervals of allowed) {
      const next = intervals.endingAfter(t);
      if (!next) return null;
      latestStart = Math.max(latestStart, next.start);
    }
    if (latestStart >= limit) return null;
    if (latestStart === t) return t;
    t = latestStart;
  }
}

export type WindowStatus =
  /** `closesAt` is null when the window stays open past the search horizon. */
  | { open: true; closesAt: number | null }
  /** `opensAt` is null when no common window opens within the search horizon. */
  | { open: false; opensAt: number | null };

/** Whether calls are allowed at `ms`, and until or from when: for status reports and a dial's deadline. */
export function windowStatusAt(ms: number, hours: CallingHours, zones: readonly string[]): WindowStatus {
  const opensAt = nextDialTime(ms, hours, zones);
  const clocks = decidingClocks(hours, zones);
  if (opensAt !== ms || !clocks) return { open: false, opensAt };
  const week = weekPlan(hours);
  const limit = ms + SEARCH_HORIZON_MS;
  const ends = clocks
    .map((clock) => new AllowedIntervals(clock, week, ms, limit).stretchEnd(ms))
    .filter((end) => end !== null);
  return { open: true, closesAt: ends.length > 0 ? Math.min(...ends) : null };
}

interface Span {
  start: number;
  end: number;
}

/** Each weekday's windows (Monday first) as milliseconds since local midnight, in start order. */
function weekPlan(hours: CallingHours): Span[][] {
  const week: Span[][] = weekdays.map(() => []);
  for (const window of hours.days) {
    const span = { start: clockMinutes(window.start) * MINUTE_MS, end: clockMinutes(window.end) * MINUTE_MS };
    if (span.start < span.end) week[weekdays.indexOf(window.day)]?.push(span);
  }
  for (const spans of week) spans.sort((a, b) => a.start - b.start);
  return week;
}

/** Weekday (0 = Monday) of a day counted from 1970-01-01, a Thursday. */
function weekdayIndex(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

function decidingClocks(hours: CallingHours, zones: readonly string[]): ZoneClock[] | null {
  const names = new Set(hours.timezone === undefined ? zones : [hours.timezone]);
  const clocks = [...names].map(clockFor);
  return clocks.length > 0 && clocks.every((clock) => clock !== null) ? clocks : null;
}

function insideAt(ms: number, clock: ZoneClock, week: Span[][]): boolean {
  const wall = ms + clock.offsetAt(ms);
  const day = Math.floor(wall / DAY_MS);
  const time = wall - day * DAY_MS;
  return (week[weekdayIndex(day)] ?? []).some((span) => span.start <= time && time < span.end);
}

/**
 * A zone's UTC offset is read through Intl, which is slow (microseconds a call), so offsets are read
 * only at fixed probe instants two days apart and remembered; between two probes with the same
 * offset the offset is taken as constant, and between two that differ the change is found by
 * bisection. That holds while a zone changes its offset at most once in two days: in the tz data
 * Node ships, every zone's changes from 2000 to 2100 are at least a week apart. The memo holds only
 * what Intl answers, so no result depends on earlier calls and workflow replays stay deterministic.
 */
const PROBE_MS = 2 * DAY_MS;
/** About 20 years of probes per zone, so a long-lived worker cannot grow the memo without bound. */
const MAX_PROBES_PER_ZONE = 4096;

interface Segment {
  end: number;
  offset: number;
}

class ZoneClock {
  private readonly probes = new Map<number, number>();
  private readonly changes = new Map<number, number>();

  constructor(private readonly zone: IANAZone) {}

  offsetAt(ms: number): number {
    return this.segmentAt(ms).offset;
  }

  /** The offset at `ms` and the next instant at which it may change. */
  segmentAt(ms: number): Segment {
    const probe = Math.floor(ms / PROBE_MS);
    const before = this.probe(probe);
    const after = this.probe(probe + 1);
    const nextProbe = (probe + 1) * PROBE_MS;
    if (before === after) return { end: nextProbe, offset: before };
    const change = this.changeAfter(probe, before);
    return ms < change ? { end: change, offset: before } : { end: nextProbe, offset: after };
  }

  private probe(index: number): number {
    let offset = this.probes.get(index);
    if (offset === undefined) {
      if (this.probes.size >= MAX_PROBES_PER_ZONE) {
        this.probes.clear();
        this.changes.clear();
      }
      offset = this.offsetMs(index * PROBE_MS);
      this.probes.set(index, offset);
    }
    return offset;
  }

  /** First instant after probe `index` whose offset is no longer `before`. */
  private changeAfter(index: number, before: number): number {
    let change = this.changes.get(index);
    if (change === undefined) {
      let low = index * PROBE_MS;
      change = low + PROBE_MS;
      while (change - low > 1) {
        const middle = Math.floor((low + change) / 2);
        if (this.offsetMs(middle) === before) low = middle;
        else change = middle;
      }
      this.changes.set(index, change);
    }
    return change;
  }

  private offsetMs(ms: number): number {
    return Math.round(this.zone.offset(ms) * MINUTE_MS);
  }
}

const clocks = new Map<string, ZoneClock>();

function clockFor(name: string): ZoneClock | null {
  let clock = clocks.get(name);
  if (!clock) {
    const zone = IANAZone.create(name);
    if (!zone.isValid) return null;
    clock = new ZoneClock(zone);
    clocks.set(name, clock);
  }
  return clock;
}

interface Interval {
  start: number;
  end: number;
}

/**
 * The instants from `from` to `limit` at which one zone's wall clock is inside the calling hours,
 * as intervals in time order. Built a stretch of constant offset at a time, on demand, because most
 * searches end within a day.
 */
class AllowedIntervals {
  private readonly intervals: Interval[] = [];
  private head = 0;
  private builtUntil: number;

  constructor(
    private readonly clock: ZoneClock,
    private readonly week: Span[][],
    from: number,
    private readonly limit: number,
  ) {
    this.builtUntil = from;
  }

  /** The first interval ending after `t`; `t` must not decrease from one call to the next. */
  endingAfter(t: number): Interval | null {
    for (;;) {
      for (; this.head < this.intervals.length; this.head += 1) {
        const interval = this.intervals[this.head];
        if (interval && interval.end > t) return interval;
      }
      if (this.builtUntil >= this.limit) return null;
      this.buildNextSegment();
    }
  }

  /** End of the unbroken allowed stretch containing `t`, or null when it runs past the horizon. */
  stretchEnd(t: number): number | null {
    let end = t;
    for (let next = this.endingAfter(end); next && next.start <= end; next = this.endingAfter(end)) {
      end = next.end;
    }
    return end >= this.limit ? null : end;
  }

  private buildNextSegment(): void {
    const from = this.builtUntil;
    const { end: to, offset } = this.clock.segmentAt(from);
    const lastDay = Math.floor((to - 1 + offset) / DAY_MS);
    for (let day = Math.floor((from + offset) / DAY_MS); day <= lastDay; day += 1) {
      const midnight = day * DAY_MS - offset;
      for (const span of this.week[weekdayIndex(day)] ?? []) {
        const start = Math.max(from, midnight + span.start);
        const end = Math.min(to, midnight + span.end);
        if (start < end) this.intervals.push({ start, end });
      }
    }
    this.builtUntil = to;
  }
}
