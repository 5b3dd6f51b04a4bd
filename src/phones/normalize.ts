import {
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js/max';

/** Shared between callers (see `remembered`): never changed once made. */
export type NormalizedPhone = Readonly<
  { ok: true; e164: string; country: CountryCode } | { ok: false; reason: string }
>;

/** What people put between digits: spaces of any kind, dashes, dots, slashes and parentheses. */
const SEPARATORS = /[\s\-\u2010-\u2015\u2212.()/]/gu;

/**
 * A phone number as written by a person or a spreadsheet, in E.164, or the reason it cannot be
 * dialled. `defaultRegion` applies only to numbers written without a country code; a national trunk
 * prefix (the 0 in 09876543210) and an international prefix (00, 011) are understood.
 *
 * We require libphonenumber's isValid() with the full ("max") metadata, not isPossible(): a
 * possible number only has a plausible length, while a valid one lies in a range the country has
 * actually allocated. Dialling unallocated numbers wastes attempts and provider money, and the time
 * zones of a number depend on the same allocation data. The cost is that a range allocated after our
 * libphonenumber-js release is refused until the package is upgraded.
 */
export function normalizePhone(raw: string, defaultRegion: CountryCode): NormalizedPhone {
  if (raw.length > REMEMBERED_LENGTH) return normalize(raw, defaultRegion);
  const key = `${defaultRegion} ${raw}`;
  const known = remembered.get(key);
  if (known) return known;
  const result = normalize(raw, defaultRegion);
  if (remembered.size >= REMEMBERED_LIMIT) remembered.clear();
  remembered.set(key, result);
  return result;
}

/**
 * Numbers normalised lately. The same numbers come back (a retried upload, a list uploaded to
 * several campaigns, a refused upload sent again once mended), and libphonenumber's validation is
 * the costliest step of reading an upload (some 20 ms per 1,000 numbers). Only texts a phone
 * number could be are kept, so that huge bogus input cannot fill memory.
 */
const remembered = new Map<string, NormalizedPhone>();
const REMEMBERED_LIMIT = 10_000;
const REMEMBERED_LENGTH = 40;

function normalize(raw: string, defaultRegion: CountryCode): NormalizedPhone {
  const compact = raw.replace(SEPARATORS, '');
  const formProblem = /^\+?\d+$/.test(compact) ? null : problemWithForm(raw, compact);
  if (formProblem) return { ok: false, reason: formProblem };
  const number = parsePhoneNumberFromString(compact, defaultRegion);
  if (number?.isValid() && number.country) return { ok: true, e164: number.number, country: number.country };
  return { ok: false, reason: whyInvalid(compact, defaultRegion, number) };
}

/** Why text that is not just digits after an optional "+" is no number, or null if it is one in other digits. */
function problemWithForm(raw: string, compact: string): string | null {
  if (raw.trim() === '') return 'empty: no phone number given';
  if (/\p{L}/u.test(compact)) return 'contains letters (extensions and vanity numbers cannot be dialled)';
  const stray = /[^+\p{Nd}]/u.exec(compact);
  if (stray) return `contains "${stray[0]}", which is not part of a phone number`;
  if (compact.lastIndexOf('+') > 0) return 'a "+" may only come first';
  if (!/\p{Nd}/u.test(compact)) return 'no digits';
  return null;
}

function whyInvalid(compact: string, defaultRegion: CountryCode, number: PhoneNumber | undefined): string {
  const lengthProblem = validatePhoneNumberLength(compact, defaultRegion);
  if (lengthProblem === 'INVALID_COUNTRY') return 'unknown country calling code';
  if (!number || lengthProblem === 'NOT_A_NUMBER') return 'not a phone number';
  const where = number.country ?? `+${number.countryCallingCode}`;
  if (lengthProblem === 'TOO_SHORT') return `too short for ${where}`;
  if (lengthProblem === 'TOO_LONG') return `too long for ${where}`;
  if (lengthProblem === 'INVALID_LENGTH') return `wrong number of digits for ${where}`;
  if (!number.isValid()) return `not a valid number for ${where}`;
  return `+${number.countryCallingCode} is a global service, not a country: the callee's local time cannot be known`;
}
