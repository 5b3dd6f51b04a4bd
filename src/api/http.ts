import express, { type RequestHandler } from 'express';
import type { ZodError } from 'zod';
import type { ErrorCode, FieldIssue } from '../campaigns/errors';

/** A request body problem found before any handler ran. */
export interface BodyProblem {
  status: 400 | 413 | 415;
  code: 'INVALID_JSON' | 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE';
  message: string;
}

/** JSON bodies up to `limit`; errors are left for the dialect's error handler to render. */
export function jsonBody(limit: string): RequestHandler {
  return express.json({ limit, strict: false });
}

/** Recognises body-parser failures (malformed JSON, too large, wrong encoding). */
export function bodyProblem(err: unknown): BodyProblem | undefined {
  const type = (err as { type?: unknown }).type;
  if (type === 'entity.too.large') {
    const limit = (err as { limit?: number }).limit;
    return {
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: `Request body is larger than the limit (${limit} bytes)`,
    };
  }
  if (type === 'entity.parse.failed') {
    return { status: 400, code: 'INVALID_JSON', message: `Malformed JSON body: ${(err as Error).message}` };
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: (err as Error).message };
  }
  // A body that does not decompress as its Content-Encoding says: the parser passes zlib's error
  // on with status 400 and no type.
  const { status, errno } = err as { status?: unknown; errno?: unknown };
  if (type === undefined && status === 400 && typeof errno === 'number') {
    return {
      status: 400,
      code: 'INVALID_JSON',
      message: `Request body does not decompress as its Content-Encoding says: ${(err as Error).message}`,
    };
  }
  return undefined;
}

/**
 * A path the router could not percent-decode (`/v1/campaigns/%E0%A4%A`). It fails while routes are
 * matched, so it reaches the error handlers of a dialect's router rather than those of a route.
 */
export function pathIssue(err: unknown): FieldIssue | undefined {
  if (!(err instanceof URIError) || (err as { status?: unknown }).status !== 400) return undefined;
  return { path: '(path)', message: `is not valid percent-encoding (${err.message})` };
}

/** zod's issues as field issues: the dotted path of the field and what is wrong with it. */
export function fieldIssues(error: ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return { path: path || '(body)', message: issue.message };
  });
}

/** A one-line summary naming the first problems, for envelopes with room for a message only. */
export function summarize(issues: FieldIssue[], max = 3): string {
  const shown = issues.slice(0, max).map((i) => `${i.path}: ${i.message}`);
  const more = issues.length > max ? ` (and ${issues.length - max} more)` : '';
  return `${shown.join('; ')}${more}`;
}

/** HTTP status of each service error; dialects whose pages say otherwise override entries. */
export const defaultHttpStatus: Record<ErrorCode, number> = {
  NOT_FOUND: 404,
  VALIDATION_ERROR: 400,
  CAMPAIGN_ALREADY_RUNNING: 400,
  CAMPAIGN_NOT_RUNNING: 400,
  CAMPAIGN_NOT_PAUSED: 400,
  CAMPAIGN_RUNNING: 400,
  CAMPAIGN_FINISHED: 400,
  INVALID_CAMPAIGN_STATE: 422,
  SERVICE_UNAVAILABLE: 503,
};
