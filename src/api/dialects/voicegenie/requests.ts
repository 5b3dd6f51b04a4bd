import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { FieldIssue } from '../../../campaigns/errors';
import type { RedialSelection } from '../../../campaigns/service';
import {
  campaignSettingsSchema,
  contactListSchema,
  MAX_CONTACTS_PER_REQUEST,
  type CampaignSettings,
  type ContactInput,
} from '../../../campaigns/schemas';
import { callRowStatuses, type CallRowStatus } from '../../../campaigns/reports';
import { callOutcomes, type CampaignStatus } from '../../../domain/status';
import { fieldIssues } from '../../http';
import { RequestProblem, statusFromWord } from './envelope';

/**
 * Requests of the VoiceGenie dialect: their field names (the pages' camelCase, and the snake_case
 * of the Upload Campaign Data page) translated to the service's, and every problem named by the
 * field the caller wrote.
 */

export type Body = Record<string, unknown>;

export function objectBody(raw: unknown): Body {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new RequestProblem([
      { path: '(body)', message: 'must be a JSON object (send Content-Type: application/json)' },
    ]);
  }
  return raw as Body;
}

/** Throws the issues, if there are any. */
export function check(issues: FieldIssue[]): void {
  if (issues.length > 0) throw new RequestProblem(issues);
}

/* ------------------------------------------------------------ campaign settings */

/** Settings fields, each under the names callers use for it (first: the seed pages' name). */
const SETTINGS_ALIASES: Record<string, string[]> = {
  name: ['campaignName', 'campaign_name'],
  agentId: ['agentId', 'agent_id', 'script_id'],
  description: ['description'],
  isScheduledCall: ['isScheduledCall', 'is_scheduled_call'],
  isContextBasedCall: ['isContextBasedCall', 'is_context_based_call'],
  redialConfig: ['redialConfig', 'redial_config'],
  maxConcurrentCalls: ['maxConcurrentCalls', 'max_concurrent_calls'],
  callingHours: ['callingHours', 'calling_hours'],
  fromNumber: ['fromNumber', 'from_number'],
};

const REDIAL_ALIASES: Record<string, string> = {
  max_attempts: 'maxAttempts',
  retry_intervals: 'retryIntervals',
  retry_on: 'retryOn',
};

/**
 * The campaign settings of a request, validated by the service's own schema before anything is
 * created; problems name the caller's field (`campaignName`, not `name`).
 */
export function settingsFrom(body: Body): { settings?: CampaignSettings; issues: FieldIssue[] } {
  const raw: Record<string, unknown> = {};
  const usedName: Record<string, string> = {};
  for (const [field, aliases] of Object.entries(SETTINGS_ALIASES)) {
    const alias = aliases.find((a) => body[a] !== undefined && body[a] !== null);
    if (alias === undefined) continue;
    usedName[field] = alias;
    raw[field] = field === 'redialConfig' ? redialInput(body[alias]) : body[alias];
  }
  const parsed = campaignSettingsSchema.safeParse(raw);
  if (parsed.success) return { settings: parsed.data, issues: [] };
  const issues = parsed.error.issues.map((issue) => {
    const [head, ...rest] = issue.path.map(String);
    const first = head === undefined ? '(body)' : (usedName[head] ?? SETTINGS_ALIASES[head]?.[0] ?? head);
    return { path: [first, ...rest].join('.'), message: issue.message };
  });
  return { issues };
}

/** `redialConfig` with snake_case keys accepted too. */
function redialInput(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [REDIAL_ALIASES[k] ?? k, v]));
}

/* ------------------------------------------------------------ contacts */

/** Contacts of a request (`custom_fields`, the Upload Campaign Data page's name, read as `custom_data`). */
export function contactsFrom(
  value: unknown,
  path = 'contacts',
  opts: { required?: boolean } = { required: true },
): { contacts: ContactInput[]; issues: FieldIssue[] } {
  if (value === undefined || value === null) {
    return {
      contacts: [],
      issues: opts.required ? [{ path, message: 'is required: an array of contacts' }] : [],
    };
  }
  const aliased = Array.isArray(value)
    ? value.map((c: unknown) => {
        if (c === null || typeof c !== 'object' || Array.isArray(c)) return c;
        const contact = c as Body;
        if (contact.custom_data !== undefined || contact.custom_fields === undefined) return contact;
        const { custom_fields, ...rest } = contact;
        return { ...rest, custom_data: custom_fields };
      })
    : value;
  const parsed = contactListSchema.safeParse(aliased);
  if (!parsed.success) {
    // More than the limit: one issue naming the field, not one per contact.
    const tooMany = parsed.error.issues.find((i) => i.code === 'too_big' && i.path.length === 0);
    const issues = tooMany
      ? [
          {
            path,
            message: `must hold at most ${MAX_CONTACTS_PER_REQUEST} contacts per request (got ${(aliased as unknown[]).length})`,
          },
        ]
      : fieldIssues(parsed.error, path);
    return { contacts: [], issues };
  }
  if (opts.required && parsed.data.length === 0) {
    return { contacts: [], issues: [{ path, message: 'must hold at least one contact' }] };
  }
  return { contacts: parsed.data, issues: [] };
}

/* ------------------------------------------------------------ CSV uploads */

/** CSV columns that are contact fields (matched without regard to case); every other column is custom data. */
const CSV_FIELDS = ['phone_number', 'name', 'email', 'scheduledCallDateTime', 'timezone'] as const;

/**
 * Contacts of an uploaded CSV file: a header row, then one contact per row. Empty cells are absent
 * values; columns other than the contact fields go into `custom_data` as strings.
 */
export function contactsFromCsv(file: Buffer, field: string): Body[] {
  let rows: string[][];
  try {
    rows = parse(file, {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
    });
  } catch (err) {
    throw new RequestProblem([{ path: field, message: `is not valid CSV: ${(err as Error).message}` }]);
  }
  const [header, ...data] = rows;
  if (!header) throw new RequestProblem([{ path: field, message: 'is empty: expected a header row' }]);
  const known = new Map<string, string>(CSV_FIELDS.map((f) => [f.toLowerCase(), f]));
  const columns = header.map((name) => known.get(name.toLowerCase()) ?? name);
  const duplicate = columns.find((c, i) => columns.indexOf(c) !== i);
  if (duplicate !== undefined) {
    throw new RequestProblem([{ path: field, message: `has the column ${JSON.stringify(duplicate)} twice` }]);
  }
  if (!columns.includes('phone_number')) {
    throw new RequestProblem([
      {
        path: field,
        message: `has no phone_number column (header: ${header.join(',')}); expected phone_number,name,email,scheduledCallDateTime,timezone and custom columns`,
      },
    ]);
  }
  if (data.length > MAX_CONTACTS_PER_REQUEST) {
    throw new RequestProblem([
      {
        path: field,
        message: `must hold at most ${MAX_CONTACTS_PER_REQUEST} contacts per request (got ${data.length} rows)`,
      },
    ]);
  }
  return data.map((cells) => {
    const contact: Body = {};
    const custom: Record<string, string> = {};
    columns.forEach((column, i) => {
      const value = cells[i];
      if (value === undefined || value === '' || column === '') return;
      if (known.has(column.toLowerCase())) contact[column] = value;
      else custom[column] = value;
    });
    if (Object.keys(custom).length > 0) contact.custom_data = custom;
    return contact;
  });
}

/** A multipart text field as the JSON value it stands for (`"true"` → true, `"12"` → 12). */
export function formValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^-?\d+$/.test(value)) return Number(value);
  if (/^[[{]/.test(value.trim())) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

/* ------------------------------------------------------------ other requests */

export const campaignRef = z
  .string({ error: 'is required: the campaign id' })
  .trim()
  .min(1, 'is required: the campaign id')
  .max(200, 'must be at most 200 characters');

const redialStatuses = z.enum(callOutcomes, {
  error: (issue) =>
    `unknown call status ${JSON.stringify(issue.input)}: use one of ${callOutcomes.join(', ')}`,
});

const redialBody = z
  .object({
    campaign_id: campaignRef,
    call_uuids: z
      .array(z.string({ error: 'must be a call id string' }).min(1, 'must not be empty'), {
        error: 'must be an array of call ids',
      })
      .min(1, 'must name at least one call')
      .max(MAX_CONTACTS_PER_REQUEST, `must name at most ${MAX_CONTACTS_PER_REQUEST} calls per request`)
      .optional(),
    redial_criteria: z
      .object(
        {
          statuses: z
            .array(redialStatuses, { error: 'must be an array of call statuses' })
            .min(1, 'must name at least one call status'),
          max_previous_attempts: z
            .number({ error: 'must be a number' })
            .int('must be a whole number')
            .min(0, 'must be at least 0')
            .optional(),
          exclude_dnc: z.boolean({ error: 'must be true or false' }).default(true),
        },
        { error: 'must be an object' },
      )
      .optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.call_uuids === undefined) === (body.redial_criteria === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['call_uuids'],
        message: 'give either call_uuids or redial_criteria (exactly one of them)',
      });
    }
  });

export function redialRequest(raw: unknown): { ref: string; selection: RedialSelection } {
  const parsed = redialBody.safeParse(objectBody(raw));
  if (!parsed.success) throw new RequestProblem(fieldIssues(parsed.error));
  const { campaign_id, call_uuids, redial_criteria } = parsed.data;
  if (call_uuids) return { ref: campaign_id, selection: { callIds: call_uuids } };
  const criteria = redial_criteria!;
  return {
    ref: campaign_id,
    selection: {
      criteria: {
        outcomes: criteria.statuses,
        excludeDnc: criteria.exclude_dnc,
        ...(criteria.max_previous_attempts !== undefined && {
          maxPreviousAttempts: criteria.max_previous_attempts,
        }),
      },
    },
  };
}

export const MAX_HISTORY_LIMIT = 500;

const pageNumber = (what: string, min: number) =>
  z.coerce.number({ error: `must be a number` }).int('must be a whole number').min(min, `${what}`);

const historyBody = z.object({
  campaign_id: campaignRef,
  limit: pageNumber('must be at least 1', 1)
    .max(MAX_HISTORY_LIMIT, `must be at most ${MAX_HISTORY_LIMIT}`)
    .default(50),
  offset: pageNumber('must be at least 0', 0).optional(),
  page: pageNumber('must be at least 1', 1).optional(),
  status_filter: z
    .enum(callRowStatuses as [CallRowStatus, ...CallRowStatus[]], {
      error: (issue) =>
        `unknown call status ${JSON.stringify(issue.input)}: use one of ${callRowStatuses.join(', ')}`,
    })
    .optional(),
});

export interface HistoryRequest {
  ref: string;
  limit: number;
  offset: number;
  statuses?: CallRowStatus[];
}

/** `offset` as the Get Campaign History page has it, or `page` (1-based) with `limit`. */
export function historyRequest(raw: unknown): HistoryRequest {
  const parsed = historyBody.safeParse(objectBody(raw));
  if (!parsed.success) throw new RequestProblem(fieldIssues(parsed.error));
  const { campaign_id, limit, offset, page, status_filter } = parsed.data;
  if (offset !== undefined && page !== undefined && offset !== (page - 1) * limit) {
    throw new RequestProblem([
      { path: 'page', message: `disagrees with offset ${offset}: give one of page and offset` },
    ]);
  }
  return {
    ref: campaign_id,
    limit,
    offset: offset ?? ((page ?? 1) - 1) * limit,
    ...(status_filter && { statuses: [status_filter] }),
  };
}

export const MAX_STATUS_LIMIT = 100;

const statusesQuery = z.object({
  status: z.string().optional(),
  limit: pageNumber('must be at least 1', 1)
    .max(MAX_STATUS_LIMIT, `must be at most ${MAX_STATUS_LIMIT}`)
    .default(50),
  offset: pageNumber('must be at least 0', 0).default(0),
});

/** `?status=in_progress,paused&limit=&offset=`: statuses in either family's words. */
export function statusesRequest(query: unknown): {
  statuses?: CampaignStatus[];
  limit: number;
  offset: number;
} {
  const parsed = statusesQuery.safeParse(query ?? {});
  if (!parsed.success) throw new RequestProblem(fieldIssues(parsed.error));
  const { status, limit, offset } = parsed.data;
  if (status === undefined || status.trim() === '') return { limit, offset };
  const words = status
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);
  const statuses: CampaignStatus[] = [];
  for (const word of words) {
    const canonical = statusFromWord(word);
    if (!canonical) {
      throw new RequestProblem([
        {
          path: 'status',
          message: `unknown campaign status ${JSON.stringify(word)}: use draft, scheduled, in_progress (or running), paused, completed, cancelled or failed`,
        },
      ]);
    }
    statuses.push(canonical);
  }
  return { statuses, limit, offset };
}

const downloadQuery = z.object({
  campaign_id: campaignRef,
  format: z.literal('csv', {
    error: (issue) =>
      issue.input === undefined
        ? 'is required and must be csv (the xlsx default of VoiceGenie is not offered here)'
        : `must be csv (got ${JSON.stringify(issue.input)}; xlsx is not offered here)`,
  }),
});

export function downloadRequest(query: unknown): { ref: string } {
  const parsed = downloadQuery.safeParse(query ?? {});
  if (!parsed.success) throw new RequestProblem(fieldIssues(parsed.error));
  return { ref: parsed.data.campaign_id };
}
