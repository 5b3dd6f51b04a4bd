import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';
import { CampaignError } from '../../../campaigns/errors';
import type { CampaignStatus } from '../../../domain/status';
import type { Logger } from '../../../log';
import { headerValue, setAccount, type ApiKeyResolver } from '../../auth';
import { bodyProblem, pathIssue } from '../../http';
import { campaignStatusNames } from '../../status-names';
import { jacksonJson } from './jackson';

/**
 * Volt MX Engagement Services answers `{"id": "<id>", "message": "..."}`, printed by Jackson. The
 * pages give no error body, only a description per status, so errors keep the same envelope with
 * that description as `message` (`Unauthorized request`, `Invalid request format`, `Server failure
 * to process request`, ...) and what exactly was wrong in `details`.
 */
export const MESSAGES = {
  unauthorized: 'Unauthorized request',
  invalidFormat: 'Invalid request format',
  notFound: 'Invalid campaign ID provided or no campaign found with given ID',
  serverFailure: 'Server failure to process request',
  runningNotDeletable: 'Running campaigns can not be deleted',
} as const;

export function sendVoltmx(res: Response, status: number, body: unknown): void {
  res.status(status).type('application/json').send(jacksonJson(body));
}

export interface VoltmxError {
  id?: string;
  message: string;
  details?: string;
}

export function sendVoltmxError(res: Response, status: number, error: VoltmxError): void {
  sendVoltmx(res, status, error);
}

/** The campaign id of the request as the caller wrote it, kept for error bodies. */
export function campaignIdOf(res: Response): string | undefined {
  return (res.locals as { voltmxId?: string }).voltmxId;
}

export function setCampaignId(res: Response, id: string): void {
  (res.locals as { voltmxId?: string }).voltmxId = id;
}

export function voltmxStatus(status: CampaignStatus): string {
  return campaignStatusNames.voltmx[status];
}

/**
 * The headers a Volt MX client authenticates with: Foundry's claims token header (its Kony-era
 * name `X-Kony-Authorization` and today's `X-VoltMX-Authorization`), or `x-api-key`. Each takes one
 * of our API keys (a `Bearer ` prefix is ignored).
 */
export const VOLTMX_AUTH_HEADERS = ['x-kony-authorization', 'x-voltmx-authorization', 'x-api-key'];

export function requireVoltmxKey(keys: ApiKeyResolver) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const id = (req.params as Record<string, string | undefined>).id;
    const key = VOLTMX_AUTH_HEADERS.map((h) => headerValue(req, h)).find(Boolean);
    if (!key) {
      return sendVoltmxError(res, 401, {
        ...(id !== undefined && { id }),
        message: MESSAGES.unauthorized,
        details:
          'Missing credentials: send an API key in X-Kony-Authorization (or X-VoltMX-Authorization, x-api-key)',
      });
    }
    const account = await keys.resolve(key.replace(/^Bearer\s+/i, ''));
    if (!account) {
      return sendVoltmxError(res, 401, {
        ...(id !== undefined && { id }),
        message: MESSAGES.unauthorized,
        details: 'The API key is not valid',
      });
    }
    setAccount(res, account);
    next();
  };
}

/** A service error in Volt MX terms: refusals are 400s, our own failures 500s. */
export function renderCampaignError(res: Response, id: string | undefined, err: CampaignError): void {
  const base = id !== undefined ? { id } : {};
  const current = err.details.current_status as CampaignStatus | undefined;
  const named = current ? voltmxStatus(current) : undefined;
  switch (err.code) {
    case 'NOT_FOUND':
      return sendVoltmxError(res, 400, { ...base, message: MESSAGES.notFound });
    case 'VALIDATION_ERROR':
      return sendVoltmxError(res, 400, { ...base, message: MESSAGES.invalidFormat, details: err.message });
    case 'CAMPAIGN_ALREADY_RUNNING':
      return sendVoltmxError(res, 400, {
        ...base,
        message:
          current === 'paused'
            ? 'Campaign is paused: resume it instead of starting it'
            : 'Campaign is already running',
      });
    case 'CAMPAIGN_NOT_RUNNING':
      return sendVoltmxError(res, 400, {
        ...base,
        message: `Campaign is not running (it is ${named ?? 'not started'})`,
      });
    case 'CAMPAIGN_NOT_PAUSED':
      return sendVoltmxError(res, 400, {
        ...base,
        message: `Campaign is not paused (it is ${named ?? 'not started'})`,
      });
    case 'CAMPAIGN_RUNNING':
      return sendVoltmxError(res, 400, { ...base, message: MESSAGES.runningNotDeletable });
    case 'CAMPAIGN_FINISHED':
      return sendVoltmxError(res, 400, { ...base, message: `Campaign is ${named ?? 'finished'}` });
    case 'INVALID_CAMPAIGN_STATE': {
      const missing = err.details.missing as string[] | undefined;
      return sendVoltmxError(res, 400, {
        ...base,
        message: missing?.length
          ? `Campaign cannot be started: missing ${missing.join(', ')}`
          : `Campaign is ${named ?? 'in a state that does not allow this'}`,
      });
    }
    case 'SERVICE_UNAVAILABLE':
      return sendVoltmxError(res, 500, { ...base, message: MESSAGES.serverFailure, details: err.message });
  }
}

/** Last stop for errors under the Volt MX routes: a malformed body is a 400, anything else a 500. */
export function voltmxErrorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) return;
    const id = campaignIdOf(res);
    const base = id !== undefined ? { id } : {};
    const problem = bodyProblem(err);
    if (problem) {
      return sendVoltmxError(res, problem.status, {
        ...base,
        message: MESSAGES.invalidFormat,
        details: problem.message,
      });
    }
    const path = pathIssue(err);
    if (path) {
      return sendVoltmxError(res, 400, {
        ...base,
        message: MESSAGES.invalidFormat,
        details: `The URL path ${path.message}`,
      });
    }
    if (err instanceof CampaignError) return renderCampaignError(res, id, err);
    log.error({ err, method: req.method, path: req.originalUrl }, 'volt mx request failed');
    sendVoltmxError(res, 500, { ...base, message: MESSAGES.serverFailure });
  };
}
