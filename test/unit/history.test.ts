import { historyStep, WIND_DOWN_SHARE, type RunHistory } from '../../src/domain/history';

const run = (over: Partial<RunHistory>): RunHistory => ({
  length: 100,
  suggested: false,
  endingByResult: 0,
  limit: 6000,
  mayWindDown: true,
  ...over,
});

describe('historyStep', () => {
  it('carries on below the wind-down share of the limit', () => {
    expect(historyStep(run({ length: WIND_DOWN_SHARE * 6000 - 1, endingByResult: 200 }))).toBe('carry-on');
  });

  it('winds down from the share, or on the server suggestion, while contacts still end by result', () => {
    expect(historyStep(run({ length: WIND_DOWN_SHARE * 6000, endingByResult: 200 }))).toBe('wind-down');
    expect(historyStep(run({ length: 4096, suggested: true, endingByResult: 1 }))).toBe('wind-down');
  });

  it('continues as new once winding down has no contact left to wait for', () => {
    expect(historyStep(run({ length: 5000 }))).toBe('continue-as-new');
    expect(historyStep(run({ length: 200, suggested: true }))).toBe('continue-as-new');
  });

  it('continues as new when handing over the contacts left would pass the limit', () => {
    expect(historyStep(run({ length: 5600, endingByResult: 200 }))).toBe('wind-down');
    expect(historyStep(run({ length: 5601, endingByResult: 200 }))).toBe('continue-as-new');
    expect(historyStep(run({ length: 100, endingByResult: 3000 }))).toBe('continue-as-new');
  });

  it('never winds down a run recorded before winding down existed', () => {
    const legacy = { mayWindDown: false, endingByResult: 200 };
    expect(historyStep(run({ ...legacy, length: 5000 }))).toBe('carry-on');
    expect(historyStep(run({ ...legacy, length: 4096, suggested: true }))).toBe('continue-as-new');
    expect(historyStep(run({ ...legacy, length: 5601 }))).toBe('continue-as-new');
  });
});
