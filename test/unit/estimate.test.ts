import { ASSUMED_CALL_SECONDS, estimateCompletion } from '../../src/domain/estimate';

const now = Date.parse('2026-01-16T14:00:00Z');

describe('estimateCompletion', () => {
  it('spreads the remaining contacts over the lines at the assumed call length before anything finished', () => {
    const at = estimateCompletion({
      now,
      remaining: 500,
      finishedThisRun: 0,
      runStartedAt: now,
      maxConcurrentCalls: 10,
    });
    expect(at - now).toBe(50 * ASSUMED_CALL_SECONDS * 1000);
  });

  it('carries the measured rate forward once contacts finish', () => {
    const at = estimateCompletion({
      now,
      remaining: 300,
      finishedThisRun: 100,
      runStartedAt: now - 60_000,
      maxConcurrentCalls: 10,
    });
    expect(at - now).toBe(180_000);
  });

  it('is never earlier than the latest scheduled call', () => {
    const latest = now + 48 * 3600_000;
    const at = estimateCompletion({
      now,
      remaining: 1,
      finishedThisRun: 0,
      runStartedAt: now,
      maxConcurrentCalls: 10,
      latestScheduledAt: latest,
    });
    expect(at).toBe(latest);
  });

  it('is now when nothing remains', () => {
    expect(
      estimateCompletion({
        now,
        remaining: 0,
        finishedThisRun: 5,
        runStartedAt: now - 1000,
        maxConcurrentCalls: 1,
      }),
    ).toBe(now);
  });
});
