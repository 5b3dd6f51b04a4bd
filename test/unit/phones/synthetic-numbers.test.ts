import { normalizePhone } from '../../../src/phones/normalize';
import { MAX_SYNTHETIC_NUMBERS, syntheticNumbers } from '../../../src/phones/synthetic-numbers';

describe('syntheticNumbers', () => {
  it.each([
    ['US', /^\+1(212|646|917)[2-9]\d{6}$/],
    ['IN', /^\+919\d{9}$/],
  ] as const)('makes 100,000 distinct valid %s numbers ending in the chosen digits', (region, shape) => {
    const numbers = syntheticNumbers({ count: 100_000, region, lastDigit: (i) => (i * 7) % 10 });
    expect(new Set(numbers).size).toBe(100_000);
    numbers.forEach((e164, i) => {
      if (!shape.test(e164) || !e164.endsWith(String((i * 7) % 10)))
        throw new Error(`unexpected ${e164} at ${i}`);
      const normalized = normalizePhone(e164, region);
      if (!normalized.ok || normalized.e164 !== e164) {
        throw new Error(`${e164} does not normalise to itself: ${JSON.stringify(normalized)}`);
      }
    });
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const first = syntheticNumbers({ count: 1000, seed: 42 });
    expect(syntheticNumbers({ count: 1000, seed: 42 })).toEqual(first);
    expect(syntheticNumbers({ count: 1000, seed: 43 })).not.toEqual(first);
    expect(syntheticNumbers({ count: 10, seed: 42 })).toEqual(first.slice(0, 10));
  });

  it('spreads the last digits when none are chosen', () => {
    const lastDigits = new Set(syntheticNumbers({ count: 1000 }).map((e164) => e164.slice(-1)));
    expect(lastDigits.size).toBe(10);
  });

  it('refuses a count it cannot make and last digits that are not digits', () => {
    expect(syntheticNumbers({ count: 0 })).toEqual([]);
    expect(() => syntheticNumbers({ count: -1 })).toThrow(RangeError);
    expect(() => syntheticNumbers({ count: 1.5 })).toThrow(RangeError);
    expect(() => syntheticNumbers({ count: MAX_SYNTHETIC_NUMBERS + 1 })).toThrow(RangeError);
    expect(() => syntheticNumbers({ count: 3, lastDigit: (i) => i * 5 })).toThrow(
      /lastDigit\(2\) must be a digit/,
    );
    expect(() => syntheticNumbers({ count: 1, lastDigit: () => 0.5 })).toThrow(RangeError);
  });
});
