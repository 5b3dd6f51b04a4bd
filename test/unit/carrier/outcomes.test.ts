import { durationFor, outcomeFor, planCall, simulateSchema } from '../../../src/carrier/outcomes';

describe('simulated outcomes by last digit', () => {
  const attempts = [1, 2, 3, 4, 5];
  const table: Array<[digit: number, byAttempt: string[]]> = [
    [0, ['answered', 'answered', 'answered', 'answered', 'answered']],
    [1, ['answered', 'answered', 'answered', 'answered', 'answered']],
    [2, ['answered', 'answered', 'answered', 'answered', 'answered']],
    [3, ['answered', 'answered', 'answered', 'answered', 'answered']],
    [4, ['no_answer', 'no_answer', 'no_answer', 'no_answer', 'no_answer']],
    [5, ['busy', 'busy', 'busy', 'busy', 'busy']],
    [6, ['no_answer', 'no_answer', 'answered', 'answered', 'answered']],
    [7, ['failed', 'failed', 'failed', 'failed', 'failed']],
    [8, ['voicemail', 'voicemail', 'voicemail', 'voicemail', 'voicemail']],
    [9, ['invalid_number', 'invalid_number', 'invalid_number', 'invalid_number', 'invalid_number']],
  ];

  it.each(table)('digit %i gives %j on attempts 1..5', (digit, byAttempt) => {
    const to = `+1415555012${digit}`;
    expect(attempts.map((attempt) => outcomeFor(to, attempt).outcome)).toEqual(byAttempt);
    expect(attempts.some((attempt) => outcomeFor(to, attempt).optOut)).toBe(false);
  });

  it('answers a number ending in 00 with an opt-out, on every attempt', () => {
    expect(attempts.map((attempt) => outcomeFor('+14155550100', attempt))).toEqual(
      attempts.map(() => ({ outcome: 'answered', optOut: true })),
    );
    expect(outcomeFor('+14155550110', 1)).toEqual({ outcome: 'answered', optOut: false });
  });
});

describe('planCall', () => {
  it('follows the number and the default delay when nothing is simulated', () => {
    expect(planCall('+14155550105', 1, 'k:1', undefined, 250)).toEqual({
      outcome: 'busy',
      optOut: false,
      durationS: 0,
      delayMs: 250,
      sendCallbacks: true,
    });
  });

  it('lets context.simulate override outcome, opt-out, delay and the callback', () => {
    const plan = planCall(
      '+14155550101',
      1,
      'k:1',
      { outcome: 'voicemail', delayMs: 0, noCallback: true },
      250,
    );
    expect(plan).toEqual({
      outcome: 'voicemail',
      optOut: false,
      durationS: 0,
      delayMs: 0,
      sendCallbacks: false,
    });
    expect(planCall('+14155550101', 1, 'k:1', { optOut: true }, 0).optOut).toBe(true);
    expect(planCall('+14155550100', 1, 'k:1', { optOut: false }, 0).optOut).toBe(false);
  });

  it('drops the 00 opt-out when the outcome is overridden to one without a conversation', () => {
    expect(planCall('+14155550100', 1, 'k:1', { outcome: 'busy' }, 0)).toMatchObject({
      outcome: 'busy',
      optOut: false,
    });
  });

  it('rejects simulate values outside the documented shape', () => {
    expect(simulateSchema.safeParse({ outcome: 'cancelled' }).success).toBe(false);
    expect(simulateSchema.safeParse({ delayMs: -1 }).success).toBe(false);
    expect(simulateSchema.safeParse({ noCallback: 'yes' }).success).toBe(false);
    expect(
      simulateSchema.safeParse({ outcome: 'busy', delayMs: 10, noCallback: true, optOut: false }).success,
    ).toBe(true);
  });
});

describe('durationFor', () => {
  it('gives answered calls 30..300 s, stable per key, and every other outcome 0', () => {
    const durations = Array.from({ length: 500 }, (_, i) =>
      durationFor(`campaign-c-contact-${i}:1`, 'answered'),
    );
    expect(Math.min(...durations)).toBeGreaterThanOrEqual(30);
    expect(Math.max(...durations)).toBeLessThanOrEqual(300);
    expect(new Set(durations).size).toBeGreaterThan(100);
    expect(durationFor('campaign-c-contact-7:1', 'answered')).toBe(durations[7]);
    expect(durationFor('campaign-c-contact-7:1', 'no_answer')).toBe(0);
  });
});
