/**
 * The business errors of the campaign service. Each dialect renders them in its own envelope and
 * status codes; the codes themselves are the VoiceGenie pages' where those name one.
 */
export const errorCodes = [
  'NOT_FOUND',
  'VALIDATION_ERROR',
  'CAMPAIGN_ALREADY_RUNNING',
  'CAMPAIGN_NOT_RUNNING',
  'CAMPAIGN_NOT_PAUSED',
  'CAMPAIGN_RUNNING',
  'CAMPAIGN_FINISHED',
  'INVALID_CAMPAIGN_STATE',
  'SERVICE_UNAVAILABLE',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/** One problem with one field of the request. `path` uses dots and indexes: `contacts.3.phone_number`. */
export interface FieldIssue {
  path: string;
  message: string;
}

export class CampaignError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'CampaignError';
  }
}

export function notFound(what = 'Campaign'): CampaignError {
  return new CampaignError('NOT_FOUND', `${what} not found`);
}

export function invalid(message: string, issues: FieldIssue[]): CampaignError {
  return new CampaignError('VALIDATION_ERROR', message, { issues });
}
