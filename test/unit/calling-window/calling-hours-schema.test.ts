import { callingHoursSchema } from '../../../src/domain/calling-hours-schema';
import { DEFAULT_CALLING_HOURS } from '../../../src/domain/calling-window';

const monday = (start: string, end: string) => ({ days: [{ day: 'monday', start, end }] });

function problems(input: unknown): string[] {
  const result = callingHoursSchema.safeParse(input);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('callingHoursSchema', () => {
  it('accepts the default hours, several windows a day, a window ending at 24:00 and a time zone', () => {
    expect(callingHoursSchema.parse(DEFAULT_CALLING_HOURS)).toEqual(DEFAULT_CALLING_HOURS);
    const hours = {
      timezone: 'Asia/Kolkata',
      days: [
        { day: 'monday', start: '09:00', end: '12:30' },
        { day: 'monday', start: '14:00', end: '18:00' },
        { day: 'saturday', start: '20:00', end: '24:00' },
        { day: 'sunday', start: '00:00', end: '00:15' },
      ],
    };
    expect(callingHoursSchema.parse(hours)).toEqual(hours);
  });

  it('drops fields it does not know, such as Kore.ai frequency', () => {
    expect(callingHoursSchema.parse({ frequency: 'WEEKLY', ...monday('09:00', '17:00') })).toEqual(
      monday('09:00', '17:00'),
    );
  });

  it.each([
    [
      monday('9:00', '17:00'),
      'days.0.start: start must be a 24-hour time "HH:mm" from 00:00 to 23:59, got "9:00"',
    ],
    [
      monday('09:00', '5:00 PM'),
      'days.0.end: end must be a 24-hour time "HH:mm" from 00:01 to 24:00, got "5:00 PM"',
    ],
    [
      monday('24:00', '24:00'),
      'days.0.start: start must be a 24-hour time "HH:mm" from 00:00 to 23:59, got "24:00"',
    ],
    [
      monday('09:00', '24:30'),
      'days.0.end: end must be a 24-hour time "HH:mm" from 00:01 to 24:00, got "24:30"',
    ],
    [
      monday('09:60', '10:00'),
      'days.0.start: start must be a 24-hour time "HH:mm" from 00:00 to 23:59, got "09:60"',
    ],
    [
      monday('17:00', '09:00'),
      'days.0.end: end (09:00) must be after start (17:00); a window past midnight is two windows, the first ending at 24:00',
    ],
    [
      monday('09:00', '09:00'),
      'days.0.end: end (09:00) must be after start (09:00); a window past midnight is two windows, the first ending at 24:00',
    ],
    [
      { days: [{ day: 'MO', start: '09:00', end: '17:00' }] },
      'days.0.day: unknown day "MO": use one of monday, tuesday, wednesday, thursday, friday, saturday, sunday',
    ],
    [
      { timezone: 'Asia/Calcuta', ...monday('09:00', '17:00') },
      'timezone: unknown IANA time zone "Asia/Calcuta"',
    ],
    [{ timezone: 'EST5EDTX', ...monday('09:00', '17:00') }, 'timezone: unknown IANA time zone "EST5EDTX"'],
    [{ days: [] }, 'days: days must list at least one calling window'],
  ])('rejects %j: %s', (input, message) => {
    expect(problems(input)).toEqual([message]);
  });

  it('reports every problem at once', () => {
    expect(
      problems({
        timezone: 'Mars/Base',
        days: [
          { day: 'funday', start: '09:00', end: '17:00' },
          { day: 'monday', start: '18:00', end: '08:00' },
        ],
      }),
    ).toHaveLength(3);
  });
});
