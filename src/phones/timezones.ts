import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import prefixTable from './timezone-prefixes.json';

const callingCodes = new Set<string>(getCountries().map((country) => getCountryCallingCode(country)));

const zonesByPrefix = new Map<string, readonly string[]>();
/** Per calling code, the length of its longest prefix: most countries have only their own. */
const longestPrefixByCallingCode = new Map<string, number>();
for (const entry of prefixTable.entries) {
  const [prefix = '', zones = ''] = entry.split('|');
  zonesByPrefix.set(prefix, zones.split('&'));
  const callingCode = callingCodeOf(prefix);
  if (callingCode !== undefined) {
    const longest = longestPrefixByCallingCode.get(callingCode) ?? 0;
    longestPrefixByCallingCode.set(callingCode, Math.max(longest, prefix.length));
  }
}

/** Google's countries whose mobile numbers are tied to a place (PhoneNumberUtil.GEO_MOBILE_COUNTRIES). */
const geographicMobileCallingCodes = new Set(['52', '54', '55', '62', '86']);

/**
 * The IANA time zones an E.164 number may ring in, at least one, sorted by name; throws for text
 * that is not E.164 or whose calling code no country uses.
 *
 * Follows Google libphonenumber's PhoneNumberToTimeZonesMapper: the zones of the number's longest
 * prefix in Google's prefix → time zone data (timezone-prefixes.json, made by
 * scripts/generate-timezone-prefixes.ts), except that a number that is not geographic (a mobile in most
 * countries, toll-free, VoIP...) gets every zone of its calling code, since its prefix says nothing
 * about where its owner is: an Australian mobile gets all Australian zones, an Indian number
 * Asia/Kolkata. More zones make a narrower calling window, so an uncertain number is only called at
 * a time that suits wherever it may be.
 *
 * One deliberate difference: in the NANP (+1) the area code decides for every number. Each area code
 * belongs to one region, while Google's rule would give the mobiles of the few Caribbean islands
 * where libphonenumber tells mobiles apart all forty-odd NANP zones. Non-geographic NANP codes (8XX,
 * 5XX, 900) have no prefix entries and get the country level anyway. It also spares NANP look-ups
 * the number parsing, the one costly step.
 */
export function timezonesForNumber(e164: string): string[] {
  if (!/^\+[1-9]\d{1,14}$/.test(e164)) throw new TypeError(`not an E.164 number: ${JSON.stringify(e164)}`);
  const digits = e164.slice(1);
  const callingCode = callingCodeOf(digits);
  const countryZones = callingCode === undefined ? undefined : zonesByPrefix.get(callingCode);
  if (callingCode === undefined || countryZones === undefined) {
    throw new RangeError(`${e164} has no country calling code`);
  }
  const longest = Math.min(digits.length, longestPrefixByCallingCode.get(callingCode) ?? 0);
  for (let length = longest; length > callingCode.length; length -= 1) {
    const zones = zonesByPrefix.get(digits.slice(0, length));
    if (zones) return [...(isGeographic(e164, callingCode) ? zones : countryZones)];
  }
  return [...countryZones];
}

/** E.164 calling codes are prefix-free, so the first head of the digits that is one is the one. */
function callingCodeOf(digits: string): string | undefined {
  for (let length = 1; length <= 3; length += 1) {
    const head = digits.slice(0, length);
    if (callingCodes.has(head)) return head;
  }
  return undefined;
}

function isGeographic(e164: string, callingCode: string): boolean {
  if (callingCode === '1') return true;
  const type = parsePhoneNumberFromString(e164)?.getType();
  return (
    type === 'FIXED_LINE' ||
    type === 'FIXED_LINE_OR_MOBILE' ||
    (type === 'MOBILE' && geographicMobileCallingCodes.has(callingCode))
  );
}
