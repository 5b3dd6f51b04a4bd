import { IANAZone } from 'luxon';
import { z } from 'zod';
import { clockMinutes, weekdays } from './calling-window';

const startTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, {
  error: (issue) =>
    `start must be a 24-hour time "HH:mm" from 00:00 to 23:59, got ${JSON.stringify(issue.input)}`,
});

const endTime = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, {
  error: (issue) =>
    `end must be a 24-hour time "HH:mm" from 00:01 to 24:00, got ${JSON.stringify(issue.input)}`,
});

export const callingWindowSchema = z
  .object({
    day: z.enum(weekdays, {
      error: (issue) => `unknown day ${JSON.stringify(issue.input)}: use one of ${weekdays.join(', ')}`,
    }),
    start: startTime,
    end: endTime,
  })
  .superRefine((window, ctx) => {
    const start = clockMinutes(window.start);
    if (start < 24 * 60 && clockMinutes(window.end) <= start) {
      ctx.addIssue({
        code: 'custom',
        path: ['end'],
        message: `end (${window.end}) must be after start (${window.start}); a window past midnight is two windows, the first ending at 24:00`,
      });
    }
  });

export const timeZoneSchema = z.string().refine((zone) => IANAZone.isValidZone(zone), {
  error: (issue) => `unknown IANA time zone ${JSON.stringify(issue.input)}`,
});

/**
 * Calling hours, shaped like Kore.ai's `dialingStrategy.callingHours`
 * (`{ frequency, timezone, days: [{ day: 'MO', start: '9:00 AM', end: '6:00 PM' }] }`) with three
 * differences a dialect translates: days are full lower-case names, times are 24-hour "HH:mm" (with
 * "24:00" as the end of a day), and there is no `frequency`, because a weekly list of windows already
 * says everything a WEEKLY or DAILY schedule does. A day may have several windows, and a day without
 * windows is closed. `timezone`, when given, is the one clock every window is read on; without it
 * each contact's own time zones decide (see calling-window.ts).
 */
export const callingHoursSchema = z.object({
  timezone: timeZoneSchema.optional(),
  days: z.array(callingWindowSchema).min(1, { error: 'days must list at least one calling window' }),
});

export type CallingHours = z.infer<typeof callingHoursSchema>;
export type CallingWindow = z.infer<typeof callingWindowSchema>;
