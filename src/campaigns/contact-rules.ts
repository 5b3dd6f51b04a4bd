import type { CountryCode } from 'libphonenumber-js';
import { normalizePhone } from '../phones/normalize';
import { timezonesForNumber } from '../phones/timezones';
import type { FieldIssue } from './errors';
import type { ContactDoc } from './model';
import type { ContactInput } from './schemas';

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** The IANA zones whose calling window applies to a contact: its own, else its number's. */
export function contactTimezones(contact: Pick<ContactDoc, 'phone' | 'timezones'>): string[] {
  return contact.timezones ?? timezonesForNumber(contact.phone);
}

/** A scheduled call's time: epoch ms, or what is wrong with it. */
export function parseScheduledTime(
  raw: string | undefined,
  now: number,
): { ok: true; at: number } | { ok: false; problem: string } {
  if (raw === undefined || raw.trim() === '')
    return { ok: false, problem: 'is required when isScheduledCall is true' };
  if (!ISO_WITH_ZONE.test(raw.trim())) {
    return {
      ok: false,
      problem: `must be an ISO 8601 date-time with a time zone, e.g. 2026-01-16T14:00:00Z (got ${JSON.stringify(raw)})`,
    };
  }
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return { ok: false, problem: `is not a real date-time (got ${JSON.stringify(raw)})` };
  if (at <= now) return { ok: false, problem: `must be in the future (got ${raw})` };
  return { ok: true, at };
}

/**
 * What an upload would refuse, found before anything is written: numbers that cannot be dialled
 * and, for a scheduled campaign, missing, malformed or past `scheduledCallDateTime`. Lets a
 * create-and-upload request fail whole instead of leaving half a campaign behind.
 */
export function contactProblems(
  contacts: ContactInput[],
  opts: {
    isScheduledCall: boolean;
    region: CountryCode;
    now: number;
    path?: string;
    /** Index in the request of `contacts[0]`, when they are a part of it. */
    from?: number;
  },
): FieldIssue[] {
  const path = opts.path ?? 'contacts';
  const from = opts.from ?? 0;
  const issues: FieldIssue[] = [];
  contacts.forEach((contact, at) => {
    const i = from + at;
    const phone = normalizePhone(contact.phone_number, opts.region);
    if (!phone.ok) issues.push({ path: `${path}.${i}.phone_number`, message: phone.reason });
    if (opts.isScheduledCall) {
      const schedule = parseScheduledTime(contact.scheduledCallDateTime, opts.now);
      if (!schedule.ok)
        issues.push({ path: `${path}.${i}.scheduledCallDateTime`, message: schedule.problem });
    }
  });
  return issues;
}
