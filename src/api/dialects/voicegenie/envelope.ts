import type { ErrorRequestHandler, Response } from 'express';
import multer from 'multer';
import { CampaignError, type ErrorCode, type FieldIssue } from '../../../campaigns/errors';
import type { CampaignStatus } from '../../../domain/status';
import type { Logger } from '../../../log';
import { bodyProblem, defaultHttpStatus, pathIssue, summarize } from '../../http';
import { campaignStatusNames } from '../../status-names';

/**
 * The VoiceGenie envelope: `{success, message, data}` on success, `{success: false, message,
 * error, details?}` on failure. Its pages come in two families that order the keys differently
 * and name statuses differently; each route says which family it belongs to.
 *
 * - `v1`: the Oriserve-hosted pages (start, pause, stats, history, upload data): `{success, data,
 *   message}`, status `running`.
 * - `v2`: the api.voicegenie.com pages (start v2, upload-and-run, and the endpoints they link to):
 *   `{success, message, data}`, status `in_progress`.
 */
export type Family = 'v1' | 'v2';

export function statusWord(family: Family, status: CampaignStatus): string {
  return campaignStatusNames[family === 'v1' ? 'voicegenieV1' : 'voicegenieV2'][status];
}

/** A canonical status from a word of either family (or the canonical name itself). */
export function statusFromWord(word: string): CampaignStatus | undefined {
  const wanted = word.trim().toLowerCase();
  for (const table of [campaignStatusNames.voicegenieV1, campaignStatusNames.voicegenieV2]) {
    for (const [status, name] of Object.entries(table)) {
      if (name.toLowerCase() === wanted || status === wanted) return status as CampaignStatus;
    }
  }
  return undefined;
}

/** Success in the family's key order; `message` left out where the page has none. */
export function sendOk(res: Response, family: Family, data: unknown, message?: string): void {
  if (message === undefined) {
    res.status(200).json({ success: true, data });
  } else if (family === 'v1') {
    res.status(200).json({ success: true, data, message });
  } else {
    res.status(200).json({ success: true, message, data });
  }
}

/** Failure as the v1 page writes it: `error` is a string code, `details` only where it helps. */
export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  details?: Record<string, unknown>,
): void {
  res.status(status).json({ success: false, message, error: code, ...(details && { details }) });
}

/** The error code of a request that fails validation, as VoiceGenie's Upload Campaign Data page names it. */
export const BAD_REQUEST = 'BAD_REQUEST';

/** A request that fails validation: every problem names its field (`details.issues`). */
export class RequestProblem extends Error {
  constructor(
    readonly issues: FieldIssue[],
    message = `Invalid request data: ${summarize(issues)}`,
    readonly status = 400,
    readonly code = BAD_REQUEST,
  ) {
    super(message);
    this.name = 'RequestProblem';
  }
}

/** Validation details: the first problem as the Upload Campaign Data page writes it, then every one. */
export function issueDetails(issues: FieldIssue[]): Record<string, unknown> {
  const first = issues[0];
  return { field: first?.path ?? '(body)', issue: first?.message ?? 'invalid', issues };
}

/**
 * Errors whose page gives the exact body (message and keys): rendered exactly so, with the
 * page's message and no `details`.
 */
const PAGE_EXACT: Partial<Record<ErrorCode, string>> = {
  NOT_FOUND: 'Campaign not found',
  CAMPAIGN_ALREADY_RUNNING: 'Campaign is already running',
  CAMPAIGN_NOT_RUNNING: 'Campaign is not running',
};

/** Renders any error a VoiceGenie route can meet. */
export function renderError(res: Response, family: Family, err: unknown, log: Logger): void {
  if (err instanceof RequestProblem) {
    return sendError(res, err.status, err.code, err.message, issueDetails(err.issues));
  }
  if (err instanceof CampaignError) {
    const status = defaultHttpStatus[err.code];
    const exact = PAGE_EXACT[err.code];
    if (exact !== undefined) return sendError(res, status, err.code, exact);
    if (err.code === 'VALIDATION_ERROR') {
      const issues = (err.details.issues as FieldIssue[] | undefined) ?? [];
      return sendError(res, status, BAD_REQUEST, err.message, issueDetails(issues));
    }
    const details = dialectDetails(family, err.details);
    return sendError(res, status, err.code, err.message, Object.keys(details).length ? details : undefined);
  }
  const path = pathIssue(err);
  if (path) return renderError(res, family, new RequestProblem([path]), log);
  const body = bodyProblem(err);
  if (body) return sendError(res, body.status, body.code, body.message);
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE' || err.code === 'LIMIT_FIELD_VALUE') {
      return sendError(
        res,
        413,
        'PAYLOAD_TOO_LARGE',
        `Uploaded ${err.field ?? 'data'} is larger than the limit`,
      );
    }
    const issues = [{ path: err.field ?? 'file', message: err.message }];
    return sendError(res, 400, BAD_REQUEST, `Invalid multipart upload: ${err.message}`, issueDetails(issues));
  }
  if (isMalformedMultipart(err)) {
    const issues = [{ path: '(body)', message: (err as Error).message }];
    return sendError(res, 400, BAD_REQUEST, 'Malformed multipart/form-data body', issueDetails(issues));
  }
  log.error({ err }, 'voicegenie route failed');
  sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Something went wrong on our side; try again');
}

/** busboy's complaints about a broken multipart body (it throws plain Errors). */
function isMalformedMultipart(err: unknown): boolean {
  return (
    err instanceof Error &&
    /^(Unexpected end of form|Malformed part header|Multipart: Boundary not found|Malformed urlencoded form)/.test(
      err.message,
    )
  );
}

/** Service details in the dialect's words: statuses as the family names them, times to the second. */
function dialectDetails(family: Family, details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    if (value === undefined) continue;
    out[key] = key === 'current_status' ? statusWord(family, value as CampaignStatus) : value;
  }
  return out;
}

/** The last handler of every route: renders what the handlers before it threw. */
export function errorHandler(family: Family, log: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) return next(err);
    renderError(res, family, err, log);
  };
}
