import { z } from 'zod';
import { callingHoursSchema, timeZoneSchema } from '../domain/calling-hours-schema';
import { MAX_ATTEMPTS_LIMIT, retryableOutcomes } from '../domain/redial';

/** Redials wait at most this long: a longer gap is a new campaign, not a retry. */
export const MAX_RETRY_INTERVAL_S = 30 * 24 * 3600;
export const MAX_CONCURRENT_CALLS_LIMIT = 1000;
export const MAX_CONTACTS_PER_REQUEST = 1000;

/**
 * The campaign settings every dialect ends up with, validated once here. Dialects translate
 * their own field names into these.
 */
export const redialConfigSchema = z
  .object({
    enabled: z.boolean({ error: 'must be true or false' }).default(false),
    maxAttempts: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(MAX_ATTEMPTS_LIMIT, `must be at most ${MAX_ATTEMPTS_LIMIT}`)
      .optional(),
    retryIntervals: z
      .array(
        z
          .number({ error: 'must be a number of seconds' })
          .int('must be a whole number of seconds')
          .min(1, 'must be at least 1 second')
          .max(MAX_RETRY_INTERVAL_S, `must be at most ${MAX_RETRY_INTERVAL_S} seconds (30 days)`),
        { error: 'must be an array of seconds' },
      )
      .max(MAX_ATTEMPTS_LIMIT, `must list at most ${MAX_ATTEMPTS_LIMIT} intervals`)
      .optional(),
    retryOn: z
      .array(
        z.enum(retryableOutcomes, {
          error: (issue) =>
            `cannot retry ${JSON.stringify(issue.input)}: retryable outcomes are ${retryableOutcomes.join(', ')}`,
        }),
      )
      .optional(),
  })
  .strict();

export const campaignSettingsSchema = z.object({
  name: z
    .string({ error: 'is required' })
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters'),
  agentId: z.string().trim().min(1, 'must not be empty').max(200).optional(),
  description: z.string().max(2000, 'must be at most 2000 characters').optional(),
  isScheduledCall: z.boolean({ error: 'must be true or false' }).default(false),
  isContextBasedCall: z.boolean({ error: 'must be true or false' }).default(false),
  redialConfig: redialConfigSchema.optional(),
  maxConcurrentCalls: z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_CONCURRENT_CALLS_LIMIT, `must be at most ${MAX_CONCURRENT_CALLS_LIMIT}`)
    .default(10),
  callingHours: callingHoursSchema.optional(),
  fromNumber: z.string().trim().min(1).max(32).optional(),
});
export type CampaignSettingsInput = z.input<typeof campaignSettingsSchema>;
export type CampaignSettings = z.output<typeof campaignSettingsSchema>;

/** A contact as callers send it (the VoiceGenie shape, which every dialect shares). */
export const contactInputSchema = z.object({
  phone_number: z
    .string({ error: 'is required and must be a string' })
    .max(64, 'must be at most 64 characters'),
  name: z.string({ error: 'must be a string' }).max(200, 'must be at most 200 characters').optional(),
  email: z.string({ error: 'must be a string' }).max(320, 'must be at most 320 characters').optional(),
  custom_data: z
    .record(z.string(), z.json(), { error: 'must be an object' })
    .refine((v) => JSON.stringify(v).length <= 16_384, 'must be at most 16 KB of JSON')
    .optional(),
  scheduledCallDateTime: z.string({ error: 'must be an ISO 8601 date-time string' }).optional(),
  timezone: timeZoneSchema.optional(),
});
export type ContactInput = z.infer<typeof contactInputSchema>;

export const contactListSchema = z
  .array(contactInputSchema, { error: 'must be an array of contacts' })
  .max(MAX_CONTACTS_PER_REQUEST, `at most ${MAX_CONTACTS_PER_REQUEST} contacts per request`);
