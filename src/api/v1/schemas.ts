import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { errorCodes } from '../../campaigns/errors';
import type { CallRecordStatus } from '../../campaigns/model';
import {
  campaignSettingsSchema,
  contactInputSchema,
  contactListSchema,
  MAX_CONTACTS_PER_REQUEST,
} from '../../campaigns/schemas';
import { callingHoursSchema } from '../../domain/calling-hours-schema';
import { MAX_ATTEMPTS_LIMIT, retryableOutcomes } from '../../domain/redial';
import { callOutcomes, campaignStatuses, contactStatuses, type ContactStatus } from '../../domain/status';
import type { DncSource } from '../../dnc/store';
import type { IdempotencyProblem } from '../idempotency';

/**
 * The /v1 API's request and response schemas. Requests are validated with these very objects and
 * the OpenAPI document is generated from them (src/api/openapi.ts), so the two cannot drift apart.
 * Campaign settings and contacts reuse the engine's own schemas (src/campaigns/schemas.ts): their
 * field names (camelCase settings, the VoiceGenie contact shape) are kept as they are; every field
 * the /v1 API adds is snake_case.
 */
extendZodWithOpenApi(z);

/**
 * `custom_data` holds any JSON (zod's recursive `z.json()`). The generator needs that schema to have
 * a name to emit it as a `$ref` instead of recursing forever; this adds documentation metadata to
 * the shared schema and changes nothing about how it validates.
 */
named(contactInputSchema.shape.custom_data.unwrap().valueType, 'JsonValue', {
  description: 'Any JSON value',
});

/**
 * A schema of another module under a component name. Schemas made before `extendZodWithOpenApi`
 * ran lack the `.openapi` method of their own, so it is called from the prototype.
 */
function named<T extends z.ZodType>(schema: T, name: string, metadata: { description: string }): T {
  const { openapi } = z.ZodType.prototype as {
    openapi: (this: z.ZodType, refId: string, metadata: { description: string }) => z.ZodType;
  };
  return openapi.call(schema, name, metadata) as T;
}

export const PAGE_LIMIT_MAX = 100;
export const PAGE_LIMIT_DEFAULT = 20;
export const MAX_DNC_NUMBERS_PER_REQUEST = 1000;
export const MAX_DNC_IMPORT_ROWS = 10_000;
export const MAX_REDIAL_CALL_IDS = 1000;

/* ------------------------------------------------------------ shared pieces */

const timestamp = z.iso.datetime().openapi({ example: '2026-01-16T14:00:00.000Z' });
const count = z.number().int();

/** A list filter given as `a,b` or as the parameter repeated (`?status=a&status=b`). */
function listFilter<const T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z
    .preprocess(
      (v) =>
        typeof v === 'string'
          ? v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : v,
      z.array(
        z.enum(values, {
          error: (issue) => `unknown ${what} ${JSON.stringify(issue.input)}: use ${values.join(', ')}`,
        }),
        { error: `must be a comma-separated list of ${what}es` },
      ),
    )
    .optional()
    .openapi({
      description: `Only these ${what}es: comma-separated, or the parameter repeated`,
      param: { style: 'form', explode: false },
    });
}

/** A whole number in a query string (`z.coerce` would take a missing or empty value as 0). */
function queryInt(min: number, max?: number) {
  let n = z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`);
  if (max !== undefined) n = n.max(max, `must be at most ${max}`);
  return z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), n);
}

export const pageQuery = z.object({
  limit: queryInt(1, PAGE_LIMIT_MAX).default(PAGE_LIMIT_DEFAULT).openapi({ description: 'Items per page' }),
  offset: queryInt(0)
    .default(0)
    .openapi({ description: 'Items to skip: the `next_offset` of the previous page' }),
});

const pageSchema = z
  .object({
    limit: count,
    offset: count,
    has_more: z.boolean(),
    next_offset: count.nullable().openapi({ description: 'The `offset` of the next page; null on the last' }),
  })
  .openapi('Page');

function listOf<T extends z.ZodType>(item: T, name: string) {
  return z.object({ data: z.array(item), page: pageSchema }).openapi(name);
}

const idParam = (description: string) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(128, 'must be at most 128 characters')
    .openapi({ param: { description } });

export const campaignParams = z.object({
  id: idParam('The campaign: its id, numeric id or code (CAMP-2026-001)'),
});
export const contactParams = campaignParams.extend({
  contactId: idParam("The contact's id, or its phone number"),
});
export const callParams = campaignParams.extend({
  callId: idParam("The call's id, or the provider's call id"),
});
export const phoneParams = z.object({
  phone: z
    .string()
    .min(1, 'must not be empty')
    .max(64, 'must be at most 64 characters')
    .openapi({
      param: { description: 'The number, in E.164 (URL-encode the +) or as written locally' },
      example: '+14155550123',
    }),
});
export const campaignPhoneParams = campaignParams.extend({ phone: phoneParams.shape.phone });

/* ------------------------------------------------------------ errors */

export const v1ErrorCodes = [
  ...errorCodes,
  'UNAUTHORIZED',
  'INVALID_JSON',
  'INVALID_MULTIPART',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'KEY_TOO_LONG',
  'KEY_REUSED',
  'REQUEST_IN_PROGRESS',
  'INTERNAL_ERROR',
] as const satisfies readonly string[];
export type V1ErrorCode = (typeof v1ErrorCodes)[number];
/** Every Idempotency-Key problem has a /v1 code. */
const _idempotencyCodes: readonly V1ErrorCode[] = [] as IdempotencyProblem[];

export const fieldIssueSchema = z
  .object({
    path: z.string().openapi({
      description:
        'The field, dotted with indexes (`callingHours.days.0.start`); `(body)` for the body itself',
    }),
    message: z.string().openapi({ description: 'What is wrong with it' }),
  })
  .openapi('FieldIssue');

export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.enum(v1ErrorCodes),
      message: z.string(),
      issues: z
        .array(fieldIssueSchema)
        .optional()
        .openapi({ description: 'One entry per problem with a field of the request' }),
      details: z
        .record(z.string(), z.unknown())
        .optional()
        .openapi({ description: 'More about a conflict, e.g. `current_status`' }),
    }),
  })
  .openapi('Error');

/* ------------------------------------------------------------ campaigns */

export const campaignCreateSchema = campaignSettingsSchema.strict().openapi('CampaignCreate', {
  description:
    'A new campaign. `agentId` (the voice agent to run) must be set before the campaign can start. Unknown fields are refused.',
});

const countersSchema = z
  .object({
    total: count.openapi({ description: 'Contacts in the campaign' }),
    contacts: z
      .object(
        Object.fromEntries(contactStatuses.map((s) => [s, count])) as Record<ContactStatus, typeof count>,
      )
      .openapi({ description: 'Contacts in each state' }),
    calls: z
      .object({
        placed: count.openapi({ description: 'Attempts that reached the provider' }),
        ...(Object.fromEntries(callOutcomes.map((o) => [o, count])) as Record<
          (typeof callOutcomes)[number],
          typeof count
        >),
      })
      .openapi({ description: 'Call attempts by outcome' }),
  })
  .openapi('Counters');

export const campaignSchema = z
  .object({
    id: z.string(),
    code: z.string().openapi({ example: 'CAMP-2026-001' }),
    name: z.string(),
    description: z.string().optional(),
    status: z.enum(campaignStatuses),
    agentId: z.string().optional(),
    isScheduledCall: z.boolean(),
    isContextBasedCall: z.boolean(),
    maxConcurrentCalls: count,
    redialConfig: z.object({
      enabled: z.boolean(),
      maxAttempts: count,
      retryIntervals: z.array(count),
      retryOn: z.array(z.enum(retryableOutcomes)),
    }),
    callingHours: callingHoursSchema.optional(),
    fromNumber: z.string().optional(),
    counters: countersSchema,
    created_at: timestamp,
    updated_at: timestamp,
    started_at: timestamp.nullable(),
    paused_at: timestamp.nullable(),
    completed_at: timestamp.nullable(),
    cancelled_at: timestamp.nullable(),
  })
  .openapi('Campaign');

export const campaignListQuery = pageQuery.extend({ status: listFilter(campaignStatuses, 'status') });
export const campaignListSchema = listOf(campaignSchema, 'CampaignList');

export const campaignStatusSchema = z
  .object({
    campaign_id: z.string(),
    status: z.enum(campaignStatuses),
    source: z.enum(['workflow', 'record']).openapi({
      description:
        '`workflow`: live from the running campaign; `record`: the stored record (it is not running, or did not answer in time)',
    }),
    as_of: timestamp.openapi({
      description:
        'The figures held at this moment or later: when the running campaign was asked, or the record read. Callers polling a busy campaign share one answer, at most 10 s old, rather than each waiting for its own.',
    }),
    counters: countersSchema,
    finished_contacts: count,
    live_calls: count.openapi({ description: 'Calls in progress right now' }),
    account_lines: count.optional().openapi({
      description:
        "Only while it runs under its account's cap on live calls: the lines of that cap it holds now, its share among the account's campaigns",
    }),
    estimated_completion_at: timestamp
      .nullable()
      .openapi({ description: 'When a running campaign should be done; when a completed one was' }),
    started_at: timestamp.nullable(),
    paused_at: timestamp.nullable(),
    completed_at: timestamp.nullable(),
    cancelled_at: timestamp.nullable(),
  })
  .openapi('CampaignStatus');

/* ------------------------------------------------------------ contacts */

/** The upload body: the shared contact list (its size limit included), checked contact by contact. */
export const contactUploadSchema = named(contactListSchema, 'ContactUpload', {
  description: `Up to ${MAX_CONTACTS_PER_REQUEST} contacts. A contact that fails a rule is reported in \`rejected\`; the others are taken.`,
});

export const uploadResultSchema = z
  .object({
    campaign_id: z.string(),
    uploaded: count.openapi({ description: 'Contacts added to the campaign' }),
    duplicates: count.openapi({ description: 'Numbers repeated in the request or already in the campaign' }),
    skipped_dnc: count.openapi({ description: 'Added, but on a do-not-call list: they will not be called' }),
    scheduled: count.openapi({ description: 'Added with a future scheduled time' }),
    immediate: count,
    rejected: z.array(
      z.object({
        index: count.openapi({ description: 'Position in the request' }),
        field: z.string(),
        reason: z.string(),
        phone_number: z.string().optional(),
      }),
    ),
    total_contacts: count.openapi({ description: 'Contacts in the campaign after this upload' }),
  })
  .openapi('UploadResult');

export const contactSchema = z
  .object({
    id: z.string(),
    campaign_id: z.string(),
    phone_number: z.string().openapi({ description: 'E.164', example: '+14155550123' }),
    raw_phone_number: z.string().openapi({ description: 'As uploaded' }),
    name: z.string().optional(),
    email: z.string().optional(),
    custom_data: z.record(z.string(), z.unknown()).optional(),
    timezones: z.array(z.string()),
    status: z.enum(contactStatuses),
    attempts: count,
    max_attempts: count
      .nullable()
      .openapi({ description: "Attempt budget when it differs from the campaign's" }),
    last_outcome: z.enum(callOutcomes).nullable(),
    last_call_id: z.string().nullable(),
    end_reason: z.string().nullable(),
    scheduled_at: timestamp.nullable(),
    next_attempt_at: timestamp.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    finished_at: timestamp.nullable(),
  })
  .openapi('Contact');

export const contactListQuery = pageQuery.extend({ status: listFilter(contactStatuses, 'status') });
export const contactPageSchema = listOf(contactSchema, 'ContactList');

/* ------------------------------------------------------------ calls */

export const callRecordStatuses = [
  'placing',
  'placed',
  'in_progress',
  'ended',
  'not_placed',
] as const satisfies readonly CallRecordStatus[];
/** Fails to compile when the model gains a call status this list lacks. */
const _allCallStatuses: readonly (typeof callRecordStatuses)[number][] = [] as CallRecordStatus[];

export const callSchema = z
  .object({
    id: z.string().openapi({ description: "The attempt's id (its idempotency key with the provider)" }),
    provider_call_id: z
      .string()
      .nullable()
      .openapi({ description: "The provider's id, once it took the call" }),
    campaign_id: z.string(),
    contact_id: z.string(),
    attempt: count,
    phone_number: z.string(),
    status: z.enum(callRecordStatuses),
    outcome: z.enum(callOutcomes).nullable(),
    reason: z.string().nullable().openapi({ description: 'Why an attempt ended without a provider outcome' }),
    duration_s: count.nullable(),
    opt_out: z.boolean(),
    created_at: timestamp,
    placed_at: timestamp.nullable(),
    answered_at: timestamp.nullable(),
    ended_at: timestamp.nullable(),
  })
  .openapi('Call');

export const callListQuery = pageQuery.extend({ outcome: listFilter(callOutcomes, 'outcome') });
export const callPageSchema = listOf(callSchema, 'CallList');

/* ------------------------------------------------------------ redial */

export const redialRequestSchema = z
  .object({
    call_ids: z
      .array(z.string({ error: 'must be a string' }).min(1, 'must not be empty'), {
        error: 'must be an array of call ids',
      })
      .min(1, 'must name at least one call')
      .max(MAX_REDIAL_CALL_IDS, `must name at most ${MAX_REDIAL_CALL_IDS} calls`)
      .optional()
      .openapi({ description: "Calls to redial: a call's `id` or `provider_call_id`" }),
    criteria: z
      .object({
        outcomes: z
          .array(
            z.enum(callOutcomes, {
              error: (issue) =>
                `unknown outcome ${JSON.stringify(issue.input)}: use ${callOutcomes.join(', ')}`,
            }),
            { error: 'must be an array of outcomes' },
          )
          .min(1, 'must list at least one outcome'),
        max_previous_attempts: z
          .number({ error: 'must be a number' })
          .int('must be a whole number')
          .min(1, 'must be at least 1')
          .max(MAX_ATTEMPTS_LIMIT, `must be at most ${MAX_ATTEMPTS_LIMIT}`)
          .optional()
          .openapi({ description: 'Skip contacts that already had more attempts than this' }),
        exclude_dnc: z
          .boolean({ error: 'must be true or false' })
          .default(true)
          .openapi({ description: 'Skip numbers now on a do-not-call list' }),
      })
      .strict()
      .optional()
      .openapi({ description: 'Redial every finished contact whose last call ended with one of `outcomes`' }),
  })
  .strict()
  .superRefine((body, ctx) => {
    if ((body.call_ids === undefined) === (body.criteria === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: body.call_ids === undefined ? ['call_ids'] : ['criteria'],
        message:
          body.call_ids === undefined
            ? 'give either call_ids or criteria'
            : 'give either call_ids or criteria, not both',
      });
    }
  })
  .openapi('RedialRequest', { description: 'Exactly one of `call_ids` and `criteria`' });

export const redialResultSchema = z
  .object({
    campaign_id: z.string(),
    campaign_status: z.enum(campaignStatuses),
    redial_batch_id: z.string(),
    considered: count.openapi({ description: 'Contacts the selection named or matched' }),
    scheduled: count.openapi({ description: 'Contacts that will be called once more' }),
    excluded: z
      .object({
        not_found: count.optional(),
        not_finished: count.optional(),
        not_dialed: count.optional(),
        dnc: count.optional(),
        max_attempts_reached: count.optional(),
      })
      .openapi({ description: 'Contacts left out, by reason' }),
  })
  .openapi('RedialResult');

/* ------------------------------------------------------------ do-not-call */

const dncSources = ['api', 'csv', 'opt_out'] as const satisfies readonly DncSource[];
const _allDncSources: readonly (typeof dncSources)[number][] = [] as DncSource[];

const dncReason = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');

export const dncAddSchema = z
  .object({
    phone_numbers: z
      .array(z.string({ error: 'must be a string' }).max(64, 'must be at most 64 characters'), {
        error: 'is required: an array of phone numbers',
      })
      .min(1, 'must list at least one number')
      .max(MAX_DNC_NUMBERS_PER_REQUEST, `must list at most ${MAX_DNC_NUMBERS_PER_REQUEST} numbers`),
    reason: dncReason.optional(),
  })
  .strict()
  .openapi('DncAdd');

export const dncImportFields = z
  .object({
    reason: dncReason.optional().openapi({ description: 'Reason for rows without a `reason` column value' }),
  })
  .strict();

/** The multipart body as documented: the CSV file and the text fields. */
export const dncImportFormSchema = dncImportFields
  .extend({
    file: z.string().openapi({
      type: 'string',
      format: 'binary',
      description: `CSV with a header row and a \`phone_number\` column (optional \`reason\`); at most ${MAX_DNC_IMPORT_ROWS} rows`,
    }),
  })
  .openapi('DncImport');

export const dncEntrySchema = z
  .object({
    phone_number: z.string().openapi({ example: '+14155550123' }),
    campaign_id: z.string().nullable().openapi({ description: 'Null on the account-wide list' }),
    reason: z.string().nullable(),
    source: z.enum(dncSources),
    created_at: timestamp,
  })
  .openapi('DncEntry');

export const dncPageSchema = listOf(dncEntrySchema, 'DncList');

export const dncAddResultSchema = z
  .object({
    added: count,
    already_listed: count,
    rejected: z.array(z.object({ index: count, phone_number: z.string(), reason: z.string() })),
  })
  .openapi('DncAddResult');

export const dncImportResultSchema = z
  .object({
    rows: count,
    added: count,
    already_listed: count,
    rejected: z.array(
      z.object({
        line: count.openapi({ description: 'Line in the file (the header is line 1)' }),
        phone_number: z.string(),
        reason: z.string(),
      }),
    ),
  })
  .openapi('DncImportResult');
