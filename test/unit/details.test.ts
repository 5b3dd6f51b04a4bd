import { campaignDetails, contactDetails, type ContactDetailsInput } from '../../src/domain/details';

const at = Date.UTC(2026, 11, 3, 14, 0);
const contact = (c: Partial<ContactDetailsInput>): string =>
  contactDetails({ phone: '+12125550101', status: 'pending', attempts: 0, budget: 3, ...c });

describe('contactDetails: where a contact stands, for the Web UI', () => {
  it('says what a sleeping contact waits for, until when, and which attempt comes next', () => {
    expect(contact({ status: 'scheduled', nextDialAt: at })).toBe(
      '+12125550101: sleeps until 2026-12-03T14:00:00.000Z, its scheduled time; then attempt 1 of 3.',
    );
    expect(contact({ status: 'waiting_window', nextDialAt: at })).toBe(
      '+12125550101: sleeps until 2026-12-03T14:00:00.000Z, when its calling window opens; then attempt 1 of 3.',
    );
    expect(
      contact({ status: 'retry_scheduled', attempts: 1, lastOutcome: 'no_answer', nextDialAt: at }),
    ).toBe(
      '+12125550101: sleeps until 2026-12-03T14:00:00.000Z, then redials (attempt 2 of 3; last outcome no_answer).',
    );
    expect(contact({ status: 'dialing', nextDialAt: at })).toBe(
      '+12125550101: holds a line and dials at 2026-12-03T14:00:00.000Z, its scheduled time (attempt 1 of 3).',
    );
  });

  it('counts the attempt under way while it dials or is in a call', () => {
    expect(contact({ status: 'pending', attempts: 1, lastOutcome: 'busy' })).toBe(
      '+12125550101: waits for a line from its campaign (attempt 2 of 3; last outcome busy).',
    );
    expect(contact({ status: 'dialing', attempts: 1 })).toBe('+12125550101: dialing (attempt 1 of 3).');
    expect(contact({ status: 'in_call', attempts: 2 })).toBe(
      '+12125550101: in a call (attempt 2 of 3), waiting for its outcome.',
    );
    // Between an attempt's end and its redial's sleep, the time is not known yet.
    expect(contact({ status: 'retry_scheduled', attempts: 1, lastOutcome: 'failed' })).toBe(
      '+12125550101: retry_scheduled (attempt 2 of 3; last outcome failed).',
    );
  });

  it('names the end, the attempts it took and the last outcome', () => {
    expect(contact({ status: 'completed', attempts: 1, lastOutcome: 'answered' })).toBe(
      '+12125550101: ended completed after 1 attempt; last outcome answered.',
    );
    expect(contact({ status: 'failed', attempts: 3, lastOutcome: 'no_answer' })).toBe(
      '+12125550101: ended failed after 3 attempts; last outcome no_answer.',
    );
    expect(contact({ status: 'skipped_dnc', attempts: 0 })).toBe(
      '+12125550101: ended skipped_dnc after 0 attempts.',
    );
  });
});

describe('campaignDetails: where a campaign run stands, for the Web UI', () => {
  const run = {
    status: 'running',
    total: 10_000,
    finished: 1234,
    liveCalls: 200,
    lines: 200,
    queued: 57,
    held: 0,
    open: 310,
    historyLength: 3210,
    windingDown: false,
  };

  it('gives its progress, lines, queue and history length', () => {
    expect(campaignDetails(run)).toBe(
      'running: 1234 of 10000 contacts final; 200 of 200 lines in calls; 57 waiting for a line; ' +
        '310 contact workflows open. This run has 3210 history events.',
    );
  });

  it('names held scheduled contacts and a run winding down to continue as new', () => {
    expect(campaignDetails({ ...run, held: 40, windingDown: true, open: 1, lines: 1, liveCalls: 1 })).toBe(
      'running: 1234 of 10000 contacts final; 1 of 1 line in calls; 57 waiting for a line; ' +
        '1 contact workflow open; 40 held until shortly before their scheduled time. ' +
        'This run has 3210 history events and is winding down to continue as new.',
    );
  });
});
