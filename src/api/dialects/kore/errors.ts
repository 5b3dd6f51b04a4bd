import type { ErrorRequestHandler, Response } from 'express';
import { CampaignError } from '../../../campaigns/errors';
import type { CampaignStatus } from '../../../domain/status';
import type { Logger } from '../../../log';
import { bodyProblem, pathIssue } from '../../http';
import { campaignStatusNames } from '../../status-names';

/**
 * Kore.ai's error envelope, as its public APIs answer (`{"errors":[{"msg": ..., "code": ...}]}`):
 * one entry per problem, `field` naming the parameter or header at fault when there is one.
 */
export interface KoreError {
  msg: string;
  code: string;
  field?: string;
}

export function sendKoreErrors(res: Response, status: number, errors: KoreError[]): void {
  res.status(status).json({ errors });
}

export function sendKoreError(
  res: Response,
  status: number,
  code: string,
  msg: string,
  field?: string,
): void {
  sendKoreErrors(res, status, [{ msg, code, ...(field !== undefined && { field }) }]);
}

export function koreStatus(status: CampaignStatus): string {
  return campaignStatusNames.kore[status];
}

/** A service error in Kore.ai's words; statuses are named as Kore.ai names them. */
export function renderCampaignError(res: Response, err: CampaignError): void {
  const current = err.details.current_status as CampaignStatus | undefined;
  const named = current ? koreStatus(current) : undefined;
  switch (err.code) {
    case 'NOT_FOUND':
      return sendKoreError(res, 404, 'NOT_FOUND', 'Campaign not found', 'campaignId');
    case 'VALIDATION_ERROR':
      return sendKoreError(res, 400, 'INVALID_REQUEST', err.message);
    case 'CAMPAIGN_ALREADY_RUNNING':
      return sendKoreError(res, 400, err.code, `Campaign is already ${named ?? koreStatus('running')}`);
    case 'CAMPAIGN_NOT_RUNNING':
      return sendKoreError(res, 400, err.code, `Campaign is not Active (it is ${named ?? 'not started'})`);
    case 'CAMPAIGN_NOT_PAUSED':
      return sendKoreError(res, 400, err.code, `Campaign is not Paused (it is ${named ?? 'not started'})`);
    case 'CAMPAIGN_RUNNING':
    case 'CAMPAIGN_FINISHED':
      return sendKoreError(res, 400, err.code, inKoreWords(err.message, current));
    case 'INVALID_CAMPAIGN_STATE': {
      const missing = err.details.missing as string[] | undefined;
      if (missing?.length) {
        return sendKoreError(res, 400, err.code, `Campaign cannot be started: missing ${missing.join(', ')}`);
      }
      return sendKoreError(res, 400, err.code, inKoreWords(err.message, current));
    }
    case 'SERVICE_UNAVAILABLE':
      return sendKoreError(res, 503, err.code, err.message);
  }
}

/** The service's message with the campaign's status named as Kore.ai names it. */
function inKoreWords(message: string, current: CampaignStatus | undefined): string {
  return current ? message.replace(new RegExp(`\\b${current}\\b`), koreStatus(current)) : message;
}

/** Last stop for errors under the Kore.ai routes: body problems, service errors, outages. */
export function koreErrorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) return;
    const problem = bodyProblem(err);
    if (problem) return sendKoreError(res, problem.status, problem.code, problem.message);
    const path = pathIssue(err);
    if (path) return sendKoreError(res, 400, 'INVALID_PARAMETER', `The URL path ${path.message}`);
    if (err instanceof CampaignError) return renderCampaignError(res, err);
    log.error({ err, method: req.method, path: req.originalUrl }, 'kore request failed');
    sendKoreError(res, 500, 'INTERNAL_ERROR', 'Something went wrong on our side; try again');
  };
}
