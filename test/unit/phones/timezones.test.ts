import {
  getCountries,
  getCountryCallingCode,
  getExampleNumber,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { IANAZone } from 'luxon';
import { timezonesForNumber } from '../../../src/phones/timezones';
import prefixTable from '../../../src/phones/timezone-prefixes.json';
import { syntheticNumbers } from '../../../src/phones/synthetic-numbers';

const allNanpZones = timezonesForNumber('+18005550123');
const allAustralianZones = [
  'Australia/Adelaide',
  'Australia/Brisbane',
  'Australia/Eucla',
  'Australia/Lord_Howe',
  'Australia/Perth',
  'Australia/Sydney',
  'Indian/Christmas',
  'Indian/Cocos',
];

describe('timezonesForNumber', () => {
  it.each([
    ['+12125550123', 'New York', ['America/New_York']],
    ['+14155550123', 'San Francisco', ['America/Los_Angeles']],
    ['+13105550123', 'Los Angeles (an area code Google maps by exchange only)', ['America/Los_Angeles']],
    ['+18085550123', 'Hawaii', ['Pacific/Honolulu']],
    ['+13125550123', 'Chicago', ['America/Chicago']],
    ['+13035550123', 'Denver', ['America/Denver']],
    ['+16025550123', 'Arizona, no DST', ['America/Phoenix']],
    ['+14165550199', 'Toronto', ['America/Toronto']],
    ['+16045550199', 'Vancouver', ['America/Vancouver']],
    ['+19025550123', 'Nova Scotia', ['America/Halifax']],
    ['+17095550123', 'Newfoundland and Labrador', ['America/Puerto_Rico', 'America/St_Johns']],
    ['+17875550123', 'Puerto Rico', ['America/Puerto_Rico']],
    ['+18765550123', 'Jamaica', ['America/Jamaica']],
    ['+12642920000', 'Anguilla, fixed line', ['America/Anguilla']],
    ['+12642350000', 'Anguilla, mobile: the area code still decides in the NANP', ['America/Anguilla']],
    ['+19075550123', 'Alaska, an area code spanning two zones', ['America/Adak', 'America/Anchorage']],
    ['+16055550123', 'South Dakota, two zones', ['America/Denver', 'America/North_Dakota/Center']],
    ['+12082012345', 'Idaho, an exchange in Mountain time', ['America/Denver']],
    ['+12082152345', 'Idaho, an exchange in Pacific time', ['America/Los_Angeles']],
    ['+12702023456', 'Kentucky, an exchange in Central time of an Eastern area code', ['America/Chicago']],
    ['+919876543210', 'India, mobile', ['Asia/Kolkata']],
    ['+912223456789', 'India, Mumbai fixed line', ['Asia/Kolkata']],
    ['+442079460018', 'London', ['Europe/London']],
    [
      '+447911123456',
      'UK mobile',
      ['Europe/Guernsey', 'Europe/Isle_of_Man', 'Europe/Jersey', 'Europe/London'],
    ],
    ['+61291234567', 'Sydney', ['Australia/Sydney']],
    ['+61731234567', 'Brisbane', ['Australia/Brisbane']],
    ['+61255053123', 'Lord Howe Island', ['Australia/Lord_Howe']],
    ['+61891621234', 'Cocos Islands, sharing +61', ['Indian/Cocos']],
    ['+61412345678', 'Australian mobile: every zone of +61', allAustralianZones],
    ['+6493001234', 'Auckland', ['Pacific/Auckland']],
    ['+6433051234', 'Chatham Islands', ['Pacific/Chatham']],
    ['+64211234567', 'New Zealand mobile', ['Pacific/Auckland', 'Pacific/Chatham']],
    ['+551123456789', 'São Paulo, fixed line', ['America/Sao_Paulo']],
    ['+5511987654321', 'São Paulo, mobile: Brazilian mobiles are geographic', ['America/Sao_Paulo']],
    ['+559232345678', 'Manaus', ['America/Manaus']],
    ['+525512345678', 'Mexico City', ['America/Mexico_City']],
    ['+4930123456', 'Berlin', ['Europe/Berlin']],
    ['+81312345678', 'Tokyo', ['Asia/Tokyo']],
    ['+8613912345678', 'China, mobile', ['Asia/Shanghai']],
  ])('%s (%s) → %j', (e164, _where, zones) => {
    expect(parsePhoneNumberFromString(e164)?.isValid()).toBe(true);
    expect(timezonesForNumber(e164)).toEqual(zones);
  });

  it('gives a non-geographic NANP number every NANP zone', () => {
    expect(allNanpZones.length).toBeGreaterThan(40);
    expect(allNanpZones).toEqual(
      expect.arrayContaining(['America/New_York', 'Pacific/Honolulu', 'Pacific/Guam']),
    );
    expect(timezonesForNumber('+18885550123')).toEqual(allNanpZones);
  });

  it('gives every geographic NANP area code libphonenumber knows its own entry, not all NANP zones', () => {
    const exchanges = [
      '2345678',
      '5550123',
      '4567890',
      '7654321',
      '3216549',
      '9876543',
      '2223333',
      '8889999',
    ];
    const geographic = ['FIXED_LINE', 'FIXED_LINE_OR_MOBILE', 'MOBILE'];
    let areaCodes = 0;
    for (let areaCode = 200; areaCode <= 999; areaCode += 1) {
      const number = exchanges
        .map((rest) => parsePhoneNumberFromString(`+1${areaCode}${rest}`))
        .find((candidate) => candidate?.isValid());
      if (!number || !geographic.includes(number.getType() ?? '')) continue;
      areaCodes += 1;
      expect({ areaCode, zones: timezonesForNumber(number.number) }).not.toEqual({
        areaCode,
        zones: allNanpZones,
      });
    }
    expect(areaCodes).toBeGreaterThan(350);
  });

  it('answers for every country libphonenumber knows, with valid IANA zones in a fixed order', () => {
    for (const country of getCountries()) {
      const example = getExampleNumber(country, examples);
      const zones = example ? timezonesForNumber(example.number) : [];
      expect({ country, known: zones.length > 0 }).toEqual({ country, known: true });
      expect(zones).toEqual([...zones].sort());
    }
    const tableZones = new Set(prefixTable.entries.flatMap((entry) => entry.split('|')[1]?.split('&') ?? []));
    expect([...tableZones].filter((zone) => !IANAZone.isValidZone(zone))).toEqual([]);
    expect(tableZones).not.toContain('Asia/Calcutta');
  });

  it('has a country-level entry for every calling code', () => {
    const prefixes = new Set(prefixTable.entries.map((entry) => entry.split('|')[0]));
    const missing = getCountries()
      .map((country) => getCountryCallingCode(country))
      .filter((code) => !prefixes.has(code));
    expect(missing).toEqual([]);
  });

  it('hands out copies, so a caller cannot change the answer for the next one', () => {
    timezonesForNumber('+12125550123').push('Europe/London');
    expect(timezonesForNumber('+12125550123')).toEqual(['America/New_York']);
  });

  it.each(['', '12125550123', '+0123456', '+1 212 555 0123', '+1234567890123456', 'tel:+12125550123'])(
    'refuses %j, which is not E.164',
    (text) => {
      expect(() => timezonesForNumber(text)).toThrow(TypeError);
    },
  );

  it('refuses calling codes no country uses', () => {
    expect(() => timezonesForNumber('+8001234567')).toThrow(/no country calling code/);
    expect(() => timezonesForNumber('+9991234567')).toThrow(/no country calling code/);
  });

  // Under 0.1 s in plain Node; Jest's sandbox runs this code several times slower.
  it.each(['US', 'IN'] as const)('looks up 100,000 %s numbers in under a second', (region) => {
    const numbers = syntheticNumbers({ count: 100_000, region, seed: 7 });
    numbers.slice(0, 1000).forEach(timezonesForNumber);
    const started = performance.now();
    const zones = new Set(numbers.flatMap(timezonesForNumber));
    const elapsed = performance.now() - started;
    expect(zones).toEqual(new Set([region === 'US' ? 'America/New_York' : 'Asia/Kolkata']));
    expect(elapsed).toBeLessThan(1000);
  });
});
