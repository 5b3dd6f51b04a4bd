import type { ErrorRequestHandler, Response } from 'express';
import multer from 'multer';
import type { ZodError } from 'zod';
import { CampaignError, type ErrorCode, type FieldIssue } from '../../campaigns/errors';
import type { Logger } from '../../log';
import { bodyProblem, defaultHttpStatus, fieldIssues, pathIssue } from '../http';
import type { V1ErrorCode } from './schemas';

/** A /v1 error: `{error: {code, message, issues?, details?}}` with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: V1ErrorCode,
    message: string,
    readonly issues?: FieldIssue[],
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Service errors in /v1: every state conflict is a 409 carrying the service's code. */
export const v1HttpStatus: Record<ErrorCode, number> = {
  ...defaultHttpStatus,
  CAMPAIGN_ALREADY_RUNNING: 409,
  CAMPAIGN_NOT_RUNNING: 409,
  CAMPAIGN_NOT_PAUSED: 409,
  CAMPAIGN_RUNNING: 409,
  CAMPAIGN_FINISHED: 409,
  INVALID_CAMPAIGN_STATE: 409,
};

/** What the service names missing before a start, as /v1 fields. */
const missingFields: Record<string, FieldIssue> = {
  script_id: { path: 'agentId', message: 'is required to start a campaign: set the voice agent to run' },
  contacts: { path: 'contacts', message: 'upload at least one contact before starting' },
};

export function validationError(issues: FieldIssue[], message = 'The request is not valid'): ApiError {
  return new ApiError(400, 'VALIDATION_ERROR', `${message}: ${issues.map((i) => i.path).join(', ')}`, issues);
}

/**
 * zod's issues as /v1 field issues. An unknown key becomes one issue naming that key, rather than
 * one issue on the object that holds it.
 */
export function zodIssues(error: ZodError, prefix = ''): FieldIssue[] {
  const issues = fieldIssues(error, prefix);
  return error.issues.flatMap((issue, i) => {
    const one = issues[i] as FieldIssue;
    if (issue.code !== 'unrecognized_keys') return [one];
    const holder = one.path === '(body)' ? '' : one.path;
    return issue.keys.map((key) => ({
      path: [holder, key].filter(Boolean).join('.'),
      message: 'is not a known field',
    }));
  });
}

function fromCampaignError(err: CampaignError): ApiError {
  const { issues, missing, ...details } = err.details as {
    issues?: FieldIssue[];
    missing?: string[];
  } & Record<string, unknown>;
  const fieldProblems = [
    ...(issues ?? []),
    ...(missing ?? []).map((m) => missingFields[m] ?? { path: m, message: 'is required' }),
  ];
  const shownDetails = Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined));
  return new ApiError(
    v1HttpStatus[err.code],
    err.code,
    err.message,
    fieldProblems.length > 0 ? fieldProblems : undefined,
    Object.keys(shownDetails).length > 0 ? shownDetails : undefined,
  );
}

/** Any error a /v1 handler or middleware raised, as the ApiError to answer with (500 when unknown). */
export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof CampaignError) return fromCampaignError(err);
  const body = bodyProblem(err);
  if (body) return new ApiError(body.status, body.code, body.message);
  const path = pathIssue(err);
  if (path) return validationError([path], 'The URL is not valid');
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') {
      return new ApiError(413, 'PAYLOAD_TOO_LARGE', 'The uploaded file is larger than the limit');
    }
    const path = err.field ?? '(body)';
    return validationError([{ path, message: err.message }], 'The multipart body is not valid');
  }
  return undefined;
}

export function sendError(res: Response, error: ApiError): void {
  res.status(error.status).json({
    error: {
      code: error.code,
      message: error.message,
      ...(error.issues && { issues: error.issues }),
      ...(error.details && { details: error.details }),
    },
  });
}

/** The /v1 error handler: known errors in the envelope, anything else logged and answered 500. */
export function v1ErrorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const known = toApiError(err);
    if (known && known.status < 500) return sendError(res, known);
    log.error({ err, method: req.method, path: req.path }, 'v1 request failed');
    sendError(res, known ?? new ApiError(500, 'INTERNAL_ERROR', 'Something went wrong on our side'));
  };
}
