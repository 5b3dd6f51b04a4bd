import {
  attemptBudget,
  decideAfterAttempt,
  defaultRedialConfig,
  retryInterval,
  type RedialConfig,
} from '../../src/domain/redial';

const config = (over: Partial<RedialConfig> = {}): RedialConfig => ({
  ...defaultRedialConfig,
  enabled: true,
  maxAttempts: 3,
  retryIntervals: [3600, 7200],
  ...over,
});

describe('redial policy', () => {
  it('never retries an answered call or an invalid number', () => {
    expect(decideAfterAttempt(config(), 'answered', 1)).toEqual({ final: true, status: 'completed' });
    expect(decideAfterAttempt(config(), 'invalid_number', 1)).toEqual({ final: true, status: 'failed' });
  });

  it('retries the configured outcomes until the budget is spent', () => {
    expect(decideAfterAttempt(config(), 'no_answer', 1)).toEqual({ final: false, retryAfterS: 3600 });
    expect(decideAfterAttempt(config(), 'busy', 2)).toEqual({ final: false, retryAfterS: 7200 });
    expect(decideAfterAttempt(config(), 'failed', 3)).toEqual({ final: true, status: 'failed' });
  });

  it('repeats the last interval', () => {
    const c = config({ maxAttempts: 6 });
    expect([1, 2, 3, 4, 5].map((n) => retryInterval(c, n))).toEqual([3600, 7200, 7200, 7200, 7200]);
  });

  it('does not retry outcomes outside retryOn (voicemail by default)', () => {
    expect(decideAfterAttempt(config(), 'voicemail', 1)).toEqual({ final: true, status: 'failed' });
    expect(decideAfterAttempt(config({ retryOn: ['voicemail'] }), 'voicemail', 1)).toEqual({
      final: false,
      retryAfterS: 3600,
    });
  });

  it('gives one attempt when redial is disabled', () => {
    const c = config({ enabled: false });
    expect(attemptBudget(c)).toBe(1);
    expect(decideAfterAttempt(c, 'no_answer', 1)).toEqual({ final: true, status: 'failed' });
  });
});
