import { mulberry32 } from '../seeded-random';

export interface SyntheticNumbersOptions {
  count: number;
  region?: 'US' | 'IN';
  /** The last digit of the i-th number (0-9), for simulated carriers that pick an outcome by it. */
  lastDigit?: (i: number) => number;
  seed?: number;
}

/**
 * Ranges that libphonenumber's full metadata holds valid in every digit past the prefix (the tests
 * check all 100,000 numbers of a run): New York City area codes with an exchange 200-999 other than
 * N11 and 555, and Indian mobiles starting with 9. The numbers look real and may belong to someone:
 * dial them only through the simulated carrier.
 */
const usExchanges = Array.from({ length: 800 }, (_, i) => i + 200).filter(
  (exchange) => exchange % 100 !== 11 && exchange !== 555,
);
const ranges = {
  US: { size: 3 * usExchanges.length * 1000, number: usNumber },
  IN: { size: 1e8, number: (body: number) => `+919${String(body).padStart(8, '0')}` },
};

/** At most this many: drawing distinct numbers at random slows down as a range fills up. */
export const MAX_SYNTHETIC_NUMBERS = 1_000_000;

/**
 * `count` distinct valid E.164 numbers, the same ones for the same options. Each is a random
 * number from its region's range with the last digit appended, so the last digits can be chosen
 * without making two numbers equal.
 */
export function syntheticNumbers(options: SyntheticNumbersOptions): string[] {
  const { count, region = 'US', seed = 1 } = options;
  if (!Number.isInteger(count) || count < 0 || count > MAX_SYNTHETIC_NUMBERS) {
    throw new RangeError(`count must be an integer from 0 to ${MAX_SYNTHETIC_NUMBERS}, got ${count}`);
  }
  const range = ranges[region];
  const random = mulberry32(seed);
  const lastDigit = options.lastDigit ?? (() => Math.floor(random() * 10));
  const seen = new Set<number>();
  const numbers: string[] = [];
  while (numbers.length < count) {
    const body = Math.floor(random() * range.size);
    if (seen.has(body)) continue;
    seen.add(body);
    const digit = lastDigit(numbers.length);
    if (!Number.isInteger(digit) || digit < 0 || digit > 9) {
      throw new RangeError(`lastDigit(${numbers.length}) must be a digit 0-9, got ${digit}`);
    }
    numbers.push(`${range.number(body)}${digit}`);
  }
  return numbers;
}

function usNumber(body: number): string {
  const line = body % 1000;
  const exchange = usExchanges[Math.floor(body / 1000) % usExchanges.length];
  const areaCode = [212, 646, 917][Math.floor(body / 1000 / usExchanges.length)];
  return `+1${areaCode}${exchange}${String(line).padStart(3, '0')}`;
}
