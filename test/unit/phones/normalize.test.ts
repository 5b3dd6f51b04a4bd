import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normalizePhone } from '../../../src/phones/normalize';

describe('normalizePhone', () => {
  it.each([
    ['+91 98765 43210', 'IN'],
    ['09876543210', 'IN'],
    ['+919876543210', 'IN'],
    ['919876543210', 'IN'],
    ['98765 43210', 'IN'],
    ['098765-43210', 'IN'],
    ['0091 98765 43210', 'IN'],
    ['+91 (98765) 43210', 'IN'],
    ['+91.98765.43210', 'IN'],
    ['+91\u00a098765\u2013432 10', 'IN'],
    ['  +91 98765 43210\t', 'IN'],
    ['+91 98765 43210', 'US'],
    ['011 91 98765 43210', 'US'],
    ['\u0660\u0669\u0668\u0667\u0666\u0665\u0664\u0663\u0662\u0661\u0660', 'IN'],
  ] as const)('reads %j (default region %s) as +919876543210', (raw, region) => {
    expect(normalizePhone(raw, region)).toEqual({ ok: true, e164: '+919876543210', country: 'IN' });
  });

  it.each([
    ['(212) 555-0123', 'US', '+12125550123', 'US'],
    ['1-212-555-0123', 'US', '+12125550123', 'US'],
    ['+1 212.555.0123', 'IN', '+12125550123', 'US'],
    ['+44 (0)20 7946 0018', 'GB', '+442079460018', 'GB'],
    ['020 7946 0018', 'GB', '+442079460018', 'GB'],
    ['020 7946 0018', 'IN', '+912079460018', 'IN'],
    ['+61 4 1234 5678', 'IN', '+61412345678', 'AU'],
    ['(416) 555-0199', 'CA', '+14165550199', 'CA'],
  ] as const)('reads %j (default region %s) as %s in %s', (raw, region, e164, country) => {
    expect(normalizePhone(raw, region)).toEqual({ ok: true, e164, country });
  });

  it('accepts the seed examples', () => {
    for (const e164 of ['+919876543210', '+919123456789']) {
      expect(normalizePhone(e164, 'IN')).toEqual({ ok: true, e164, country: 'IN' });
    }
  });

  it('turns differently written copies of a number into one, so contacts deduplicate on E.164', () => {
    const uploaded = ['+91 98765 43210', '09876543210', '+919876543210', '+91 91234 56789', '091234-56789'];
    const phones = new Set(
      uploaded.map((raw) => normalizePhone(raw, 'IN')).map((r) => (r.ok ? r.e164 : r.reason)),
    );
    expect([...phones]).toEqual(['+919876543210', '+919123456789']);
  });

  /**
   * 555-0100 to 555-0199 is the NANP range reserved for fiction, and fixtures across this repo use
   * it (+12125550123, +14155550123). libphonenumber does not single it out: such numbers are valid,
   * of type FIXED_LINE_OR_MOBILE, so they pass normalisation like any other New York number.
   */
  it('accepts the fictional NANP 555-01XX range, which libphonenumber holds valid', () => {
    for (const e164 of ['+12125550100', '+12125550123', '+12125550199', '+14155550123']) {
      const number = parsePhoneNumberFromString(e164);
      expect({ valid: number?.isValid(), type: number?.getType() }).toEqual({
        valid: true,
        type: 'FIXED_LINE_OR_MOBILE',
      });
      expect(normalizePhone(e164, 'US')).toEqual({ ok: true, e164, country: 'US' });
    }
  });

  it.each([
    ['', 'IN', /^empty/],
    ['   ', 'IN', /^empty/],
    ['1-800-FLOWERS', 'US', /letters/],
    ['+1 212 555 0123 ext 45', 'US', /letters/],
    ['+1 212 555 0123 x45', 'US', /letters/],
    ['212#555-0123', 'US', /contains "#"/],
    ['+91 98765_43210', 'IN', /contains "_"/],
    ['++919876543210', 'IN', /"\+" may only come first/],
    ['91+9876543210', 'IN', /"\+" may only come first/],
    ['()', 'US', /no digits/],
    ['+91 98765', 'IN', /too short for IN/],
    ['12345', 'US', /too short for US/],
    ['+1 212 555 012', 'US', /too short for \+1/],
    ['+1 212 555 01234', 'US', /too long for \+1/],
    ['+49 30 123456789012345', 'DE', /too long for DE/],
    ['+999 1234567', 'US', /unknown country calling code/],
    ['+1 212 055 0123', 'US', /not a valid number for \+1/],
    ['+91 98765 43210 123', 'IN', /not a valid number for IN/],
    ['0123 456 789', 'IN', /not a valid number for IN/],
    ['020 7946 0018', 'AU', /not a valid number for AU/],
    ['+870 773 110 000', 'US', /\+870 is a global service/],
  ] as const)('rejects %j (default region %s): %s', (raw, region, reason) => {
    const result = normalizePhone(raw, region);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });

  it('answers a number read before from memory, the same for each region it is read in', () => {
    const first = normalizePhone('020 7946 0018', 'GB');
    expect(normalizePhone('020 7946 0018', 'GB')).toBe(first);
    expect(normalizePhone('020 7946 0018', 'IN')).toEqual({ ok: true, e164: '+912079460018', country: 'IN' });
    expect(normalizePhone('020 7946 0018', 'GB')).toEqual({ ok: true, e164: '+442079460018', country: 'GB' });
  });

  it('does not keep text far longer than any phone number, yet reads it the same', () => {
    const huge = `+91 98765 43210${' '.repeat(100)}`;
    const first = normalizePhone(huge, 'IN');
    expect(first).toEqual({ ok: true, e164: '+919876543210', country: 'IN' });
    expect(normalizePhone(huge, 'IN')).not.toBe(first);
    expect(normalizePhone('x'.repeat(10_000), 'IN')).toEqual({
      ok: false,
      reason: 'contains letters (extensions and vanity numbers cannot be dialled)',
    });
  });
});
