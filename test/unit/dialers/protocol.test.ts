import {
  callbackEventSchema,
  callRequestSchema,
  isRetryableStatus,
  providerOutcomes,
} from '../../../src/dialers/protocol';

const metadata = {
  workflowId: 'campaign-c1-contact-k1',
  campaignId: 'c1',
  contactId: 'k1',
  accountId: 'a1',
  attempt: 1,
};

const request = {
  idempotencyKey: 'campaign-c1-contact-k1:1',
  to: '+14155550123',
  from: '+14155550100',
  context: { name: 'John', custom_data: { company: 'Acme', tags: ['vip', 3, null, true] } },
  callbackUrl: 'http://api.example/webhooks/calls',
  metadata,
};

describe('callRequestSchema', () => {
  it('accepts the request documented in ARCHITECTURE.md, nested context included', () => {
    expect(callRequestSchema.parse(request)).toEqual(request);
  });

  it('rejects numbers that are not E.164, odd callback URLs and attempt 0', () => {
    for (const bad of [
      { ...request, to: '4155550123' },
      { ...request, from: '+0155' },
      { ...request, callbackUrl: 'ftp://api.example/webhooks' },
      { ...request, metadata: { ...metadata, attempt: 0 } },
      { ...request, context: 'hello' },
    ]) {
      expect(callRequestSchema.safeParse(bad).success).toBe(false);
    }
  });
});

describe('callbackEventSchema', () => {
  const completed = {
    callId: 'call-1',
    idempotencyKey: request.idempotencyKey,
    event: 'completed',
    outcome: 'answered',
    durationS: 12,
    optOut: false,
    occurredAt: '2026-01-01T10:00:00.000Z',
    metadata,
  };

  it('requires an outcome on completed events and not on in_progress ones', () => {
    expect(callbackEventSchema.safeParse(completed).success).toBe(true);
    const { outcome: _outcome, ...withoutOutcome } = completed;
    expect(callbackEventSchema.safeParse(withoutOutcome).success).toBe(false);
    expect(callbackEventSchema.safeParse({ ...withoutOutcome, event: 'in_progress' }).success).toBe(true);
  });

  it('knows every provider outcome but not our own `cancelled`', () => {
    expect(providerOutcomes).toEqual([
      'answered',
      'no_answer',
      'busy',
      'failed',
      'voicemail',
      'invalid_number',
    ]);
    expect(callbackEventSchema.safeParse({ ...completed, outcome: 'cancelled' }).success).toBe(false);
  });

  it('rejects an occurredAt that is not an ISO timestamp', () => {
    expect(callbackEventSchema.safeParse({ ...completed, occurredAt: 'yesterday' }).success).toBe(false);
  });
});

describe('isRetryableStatus', () => {
  it('retries 408, 429 and 5xx only', () => {
    const statuses = [400, 401, 404, 408, 409, 422, 429, 500, 502, 503];
    expect(statuses.filter(isRetryableStatus)).toEqual([408, 429, 500, 502, 503]);
  });
});
