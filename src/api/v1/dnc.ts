import { CsvError, parse } from 'csv-parse/sync';
import type { CountryCode } from 'libphonenumber-js';
import type { DncSource } from '../../dnc/store';
import { normalizePhone } from '../../phones/normalize';
import type { DialectDeps } from '../dialects/deps';
import { ApiError, validationError } from './errors';
import { page, presentDncEntry } from './present';
import { CAMPAIGN_NOT_FOUND, defineRoute } from './route';
import {
  campaignParams,
  campaignPhoneParams,
  dncAddResultSchema,
  dncAddSchema,
  dncImportFields,
  dncImportFormSchema,
  dncImportResultSchema,
  dncPageSchema,
  MAX_DNC_IMPORT_ROWS,
  pageQuery,
  phoneParams,
} from './schemas';

const tag = 'Do not call';

function region(deps: DialectDeps): CountryCode {
  return deps.ctx.config.DEFAULT_PHONE_REGION as CountryCode;
}

/** Puts numbers on a list (the account's, or a campaign's); says how many were new. */
async function addNumbers(
  deps: DialectDeps,
  accountId: string,
  numbers: { phone: string; reason?: string }[],
  opts: { campaignId: string | null; source: DncSource },
): Promise<{ added: number; already_listed: number }> {
  const byReason = new Map<string | undefined, string[]>();
  for (const { phone, reason } of numbers) byReason.set(reason, [...(byReason.get(reason) ?? []), phone]);
  let added = 0;
  for (const [reason, phones] of byReason) {
    added += await deps.ctx.dnc.add(accountId, phones, {
      campaignId: opts.campaignId,
      source: opts.source,
      ...(reason !== undefined && { reason }),
    });
  }
  const distinct = new Set(numbers.map((n) => n.phone)).size;
  return { added, already_listed: distinct - added };
}

async function addFromRequest(
  deps: DialectDeps,
  accountId: string,
  body: { phone_numbers: string[]; reason?: string | undefined },
  campaignId: string | null,
) {
  const valid: { phone: string; reason?: string }[] = [];
  const rejected: { index: number; phone_number: string; reason: string }[] = [];
  body.phone_numbers.forEach((raw, index) => {
    const phone = normalizePhone(raw, region(deps));
    if (phone.ok)
      valid.push({ phone: phone.e164, ...(body.reason !== undefined && { reason: body.reason }) });
    else rejected.push({ index, phone_number: raw, reason: phone.reason });
  });
  const counts = await addNumbers(deps, accountId, valid, { campaignId, source: 'api' });
  return { ...counts, rejected };
}

async function removeNumber(deps: DialectDeps, accountId: string, raw: string, campaignId: string | null) {
  const phone = normalizePhone(raw, region(deps));
  if (!phone.ok) throw validationError([{ path: 'phone', message: phone.reason }], 'Not a phone number');
  if (!(await deps.ctx.dnc.remove(accountId, phone.e164, campaignId))) {
    const list = campaignId ? "the campaign's" : "the account's";
    throw new ApiError(404, 'NOT_FOUND', `${phone.e164} is not on ${list} do-not-call list`);
  }
}

interface CsvRow {
  record: Record<string, string>;
  info: { lines: number };
}

/** The rows of an uploaded CSV; its header must name a `phone_number` column. */
function readCsv(file: Buffer): CsvRow[] {
  let header: string[] = [];
  let rows: CsvRow[];
  try {
    rows = parse(file, {
      columns: (names: string[]) => (header = names.map((n) => n.trim().toLowerCase())),
      bom: true,
      info: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
    }) as unknown as CsvRow[];
  } catch (err) {
    if (err instanceof CsvError) {
      throw validationError([{ path: 'file', message: `is not valid CSV: ${err.message}` }]);
    }
    throw err;
  }
  if (!header.includes('phone_number')) {
    const found = header.length > 0 ? `its columns are ${header.join(', ')}` : 'it is empty';
    throw validationError([
      { path: 'file', message: `needs a phone_number column in its header row; ${found}` },
    ]);
  }
  if (rows.length > MAX_DNC_IMPORT_ROWS) {
    throw validationError([
      { path: 'file', message: `has ${rows.length} rows; import at most ${MAX_DNC_IMPORT_ROWS} at a time` },
    ]);
  }
  return rows;
}

export const dncRoutes = [
  defineRoute({
    operationId: 'listDnc',
    method: 'get',
    path: '/v1/dnc',
    tag,
    summary: "List the account's do-not-call numbers",
    description: 'The account-wide list applies to every campaign. Newest first.',
    query: pageQuery,
    success: { status: 200, description: 'A page of numbers', schema: dncPageSchema },
    async handler({ deps, account, query }) {
      const { limit, offset } = query;
      const found = await deps.ctx.dnc.list(account._id, { campaignId: null, limit: limit + 1, offset });
      return page(found, { limit, offset }, presentDncEntry);
    },
  }),
  defineRoute({
    operationId: 'addDnc',
    method: 'post',
    path: '/v1/dnc',
    tag,
    summary: "Add numbers to the account's do-not-call list",
    description:
      'Numbers are normalised to E.164 (numbers without a country code are read in the default region); the ones that are no valid number are reported in `rejected`, the others added. Contacts with a listed number are never called.',
    body: dncAddSchema,
    idempotent: true,
    success: { status: 200, description: 'What was added', schema: dncAddResultSchema },
    async handler({ deps, account, body }) {
      return addFromRequest(deps, account._id, body, null);
    },
  }),
  defineRoute({
    operationId: 'removeDnc',
    method: 'delete',
    path: '/v1/dnc/:phone',
    tag,
    summary: "Remove a number from the account's do-not-call list",
    params: phoneParams,
    success: { status: 204, description: 'Removed' },
    errors: { 404: 'The number is not on the list' },
    async handler({ deps, account, params }) {
      await removeNumber(deps, account._id, params.phone, null);
    },
  }),
  defineRoute({
    operationId: 'importDnc',
    method: 'post',
    path: '/v1/dnc/import',
    tag,
    summary: "Import a CSV file into the account's do-not-call list",
    description: `multipart/form-data with the CSV in \`file\`: a header row naming a \`phone_number\` column, and optionally a \`reason\` column. At most ${MAX_DNC_IMPORT_ROWS} rows.`,
    body: dncImportFields,
    multipart: { fileField: 'file', form: dncImportFormSchema },
    idempotent: true,
    success: { status: 200, description: 'What was imported', schema: dncImportResultSchema },
    async handler({ deps, account, body, file }) {
      if (!file) {
        throw validationError([
          { path: 'file', message: 'is required: a CSV file with a phone_number column' },
        ]);
      }
      const rows = readCsv(file.buffer);
      const valid: { phone: string; reason?: string }[] = [];
      const rejected: { line: number; phone_number: string; reason: string }[] = [];
      for (const { record, info } of rows) {
        const raw = record.phone_number ?? '';
        const phone = normalizePhone(raw, region(deps));
        const reason = record.reason || body.reason;
        if (phone.ok) valid.push({ phone: phone.e164, ...(reason && { reason }) });
        else rejected.push({ line: info.lines, phone_number: raw, reason: phone.reason });
      }
      const counts = await addNumbers(deps, account._id, valid, { campaignId: null, source: 'csv' });
      return { rows: rows.length, ...counts, rejected };
    },
  }),
  defineRoute({
    operationId: 'listCampaignDnc',
    method: 'get',
    path: '/v1/campaigns/:id/dnc',
    tag,
    summary: "List a campaign's own do-not-call numbers",
    description: 'Numbers blocked for this campaign only, on top of the account-wide list. Newest first.',
    params: campaignParams,
    query: pageQuery,
    success: { status: 200, description: 'A page of numbers', schema: dncPageSchema },
    errors: { 404: CAMPAIGN_NOT_FOUND },
    async handler({ deps, account, params, query }) {
      const campaign = await deps.ctx.service.getCampaign(account._id, params.id);
      const { limit, offset } = query;
      const found = await deps.ctx.dnc.list(account._id, {
        campaignId: campaign._id,
        limit: limit + 1,
        offset,
      });
      return page(found, { limit, offset }, presentDncEntry);
    },
  }),
  defineRoute({
    operationId: 'addCampaignDnc',
    method: 'post',
    path: '/v1/campaigns/:id/dnc',
    tag,
    summary: "Add numbers to a campaign's do-not-call list",
    description:
      'As for the account list, for this campaign only. Contacts already uploaded are checked again before each dial.',
    params: campaignParams,
    body: dncAddSchema,
    idempotent: true,
    success: { status: 200, description: 'What was added', schema: dncAddResultSchema },
    errors: { 404: CAMPAIGN_NOT_FOUND },
    async handler({ deps, account, params, body }) {
      const campaign = await deps.ctx.service.getCampaign(account._id, params.id);
      return addFromRequest(deps, account._id, body, campaign._id);
    },
  }),
  defineRoute({
    operationId: 'removeCampaignDnc',
    method: 'delete',
    path: '/v1/campaigns/:id/dnc/:phone',
    tag,
    summary: "Remove a number from a campaign's do-not-call list",
    params: campaignPhoneParams,
    success: { status: 204, description: 'Removed' },
    errors: { 404: 'No such campaign in your account, or the number is not on its list' },
    async handler({ deps, account, params }) {
      const campaign = await deps.ctx.service.getCampaign(account._id, params.id);
      await removeNumber(deps, account._id, params.phone, campaign._id);
    },
  }),
];
