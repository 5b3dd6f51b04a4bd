import { DateTime } from 'luxon';
import { contactIdFor } from '../../src/campaigns/store';
import type { CallingHours } from '../../src/domain/calling-window';
import { campaignWorkflowId, contactWorkflowId } from '../../src/domain/ids';
import { ContactStatusKey } from '../../src/domain/search-attributes';
import { syntheticNumbers } from '../../src/phones/synthetic-numbers';
import type { CampaignResult } from '../../workflows/campaign';
import { contactStateQuery } from '../../workflows/messages';
import { launchCampaign, storedCampaign } from '../support/campaigns';
import { dialsIn, type Dial } from '../support/dials';
import { startEngine, type Engine } from '../support/engine';
import { waitFor } from '../support/wait';
import { at, insideByWallClock } from '../unit/calling-window/wall-clock';

/*
 * The DST changes are those of 2027, not 2026: a time-skipping server's clock starts at the real
 * time and only moves forward, and the 2026 changes were already past when these tests were written.
 * Once 2027's are past too, the uploads refuse the scheduled times and the cases need moving on.
 */

const NY = 'America/New_York';
const KOLKATA = 'Asia/Kolkata';
const AUCKLAND = 'Pacific/Auckland';
const LORD_HOWE = 'Australia/Lord_Howe';

/** The engine's default hours, written out here so that the test does not read them from the module it checks. */
const DEFAULT_HOURS: CallingHours = {
  days: (['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const).map(
    (day) => ({
      day,
      start: '08:00',
      end: '21:00',
    }),
  ),
};

/** Busy numbers (ending 5) are redialed two hours after each attempt, three attempts in all. */
const REDIAL = { enabled: true, maxAttempts: 3, retryIntervals: [2 * 3600] };

interface Case {
  /** Also the contact's name, so that a failure names the case. */
  label: string;
  /** The contact's own `timezone`. */
  zone: string;
  /** scheduledCallDateTime, with the offset in force at that instant. */
  scheduled: string;
  /** The carrier answers busy every time, so that all three attempts are made. */
  busy?: boolean;
  /** Expected dial times to the minute, on the clock of the zone the window is read in. */
  dials: string[];
}

/** A dial as the contact's workflow made it: the workflow's time, which time skipping moves. */
describe('calling windows across DST changes on the time-skipping server', () => {
  let engine: Engine;
  beforeEach(async () => {
    engine = await startEngine({ timeSkipping: true });
  });
  afterEach(async () => {
    await engine.stop();
  });

  async function dialsOf(campaignId: string, contactId: string): Promise<Dial[]> {
    const handle = engine.client.workflow.getHandle(contactWorkflowId(campaignId, contactId));
    return dialsIn(await handle.fetchHistory());
  }

  /** An instant on a zone's wall clock, cut to the minute, in the form the cases are written in. */
  const minuteIn = (ms: number, zone: string) =>
    DateTime.fromMillis(ms, { zone }).startOf('minute').toISO({ suppressSeconds: true });

  /** An instant on a zone's wall clock, to the millisecond. */
  const exactlyIn = (ms: number | undefined, zone: string) =>
    ms === undefined ? undefined : DateTime.fromMillis(ms, { zone }).toISO();

  /**
   * Runs one campaign of `cases` under `callingHours` (undefined: the engine's default) and checks
   * that every contact slept until its window, was dialed at the expected minutes and never outside
   * its window, and that every call in the carrier's ledger is one of those dials.
   */
  async function expectDialsInsideWindows(
    callingHours: CallingHours | undefined,
    cases: Case[],
    seed: number,
  ): Promise<void> {
    const phones = syntheticNumbers({
      count: cases.length,
      seed,
      lastDigit: (i) => (cases[i]?.busy ? 5 : 1),
    });
    const campaignId = await launchCampaign(
      engine,
      { isScheduledCall: true, redialConfig: REDIAL, callingHours },
      cases.map((c, i) => ({
        phone_number: phones[i] as string,
        name: c.label,
        timezone: c.zone,
        scheduledCallDateTime: new Date(at(c.scheduled)).toISOString(),
      })),
    );
    const campaign = await storedCampaign(engine, campaignId);
    const contacts = cases.map((c, i) => {
      const phone = phones[i] as string;
      return { ...c, phone, contactId: contactIdFor(campaign, phone) };
    });
    const hours = callingHours ?? DEFAULT_HOURS;
    const clockOf = (c: Case) => hours.timezone ?? c.zone;
    /** What the workflow answers, and the status an operator filters on in Temporal. */
    const stateOf = async (contactId: string) => {
      const handle = engine.client.workflow.getHandle(contactWorkflowId(campaignId, contactId));
      const [state, description] = await Promise.all([handle.query(contactStateQuery), handle.describe()]);
      return { ...state, searchable: description.typedSearchAttributes.get(ContactStatusKey) };
    };

    // Time stands still until a workflow result is awaited, so every contact can be seen asleep:
    // waiting for its window when scheduled outside it, else for its scheduled time.
    const asleep = await waitFor('the campaign to count every contact asleep', async () => {
      const { source, counters } = await engine.service.getStatus(engine.accountId, campaignId);
      const counted = source === 'workflow' && counters.total === cases.length;
      return counted && counters.contacts.pending === 0 ? counters.contacts : undefined;
    });
    const expectedSleep = contacts.map((c) => {
      const status = c.dials[0] === minuteIn(at(c.scheduled), clockOf(c)) ? 'scheduled' : 'waiting_window';
      return {
        label: c.label,
        status,
        searchable: status,
        // The window opens on the minute, so the planned dial is exactly the expected instant.
        nextDialAt: exactlyIn(at(c.dials[0] as string), clockOf(c)),
      };
    });
    const waiting = expectedSleep.filter((s) => s.status === 'waiting_window').length;
    expect(asleep).toMatchObject({ waiting_window: waiting, scheduled: cases.length - waiting });
    const states = await Promise.all(contacts.map((c) => stateOf(c.contactId)));
    expect(
      contacts.map((c, i) => ({
        label: c.label,
        status: states[i]?.status,
        searchable: states[i]?.searchable,
        nextDialAt: exactlyIn(states[i]?.nextDialAt, clockOf(c)),
      })),
    ).toEqual(expectedSleep);

    const result = (await engine.client.workflow
      .getHandle(campaignWorkflowId(campaignId))
      .result()) as CampaignResult;
    expect(result.status).toBe('completed');

    const dials = new Map<string, Dial[]>();
    for (const c of contacts) dials.set(c.contactId, await dialsOf(campaignId, c.contactId));
    expect(
      contacts.map((c) => ({
        label: c.label,
        dials: (dials.get(c.contactId) ?? []).map((d) => minuteIn(d.atMs, clockOf(c))),
        early: (dials.get(c.contactId) ?? []).some((d) => d.atMs < at(c.scheduled)),
      })),
    ).toEqual(contacts.map((c) => ({ label: c.label, dials: c.dials, early: false })));

    const calls = engine.carrier.ledger.calls({ campaignId });
    expect(calls).toHaveLength(cases.reduce((sum, c) => sum + c.dials.length, 0));
    const byId = new Map(contacts.map((c) => [c.contactId, c]));
    const outside = calls.flatMap((call) => {
      const contact = byId.get(call.contactId);
      const dial = dials.get(call.contactId)?.find((d) => d.attempt === call.attempt);
      if (!contact || !dial || call.to !== contact.phone) return [`${call.idempotencyKey}: made by no dial`];
      const zone = clockOf(contact);
      return insideByWallClock(dial.atMs, hours, [zone])
        ? []
        : [`${contact.label}: attempt ${call.attempt} at ${minuteIn(dial.atMs, zone)}`];
    });
    expect(outside).toEqual([]);

    const stored = await Promise.all(
      contacts.map((c) => engine.store.contacts.findOne({ _id: c.contactId })),
    );
    expect(
      contacts.map((c, i) => ({ label: c.label, status: stored[i]?.status, attempts: stored[i]?.attempts })),
    ).toEqual(
      contacts.map((c) => ({
        label: c.label,
        status: c.busy ? 'failed' : 'completed',
        attempts: c.dials.length,
      })),
    );
  }

  it('dials inside the default 08:00-21:00 window of each contact, first attempts and redials', async () => {
    await expectDialsInsideWindows(
      undefined,
      [
        // New York springs forward 2027-03-14 02:00 EST → 03:00 EDT: the window opens at 08:00 EDT.
        {
          label: 'NY before the spring skip',
          zone: NY,
          scheduled: '2027-03-14T01:30-05:00',
          dials: ['2027-03-14T08:00-04:00'],
        },
        {
          label: 'NY spring DST morning 06:30',
          zone: NY,
          scheduled: '2027-03-14T06:30-04:00',
          dials: ['2027-03-14T08:00-04:00'],
        },
        {
          label: 'NY redials across the spring change',
          zone: NY,
          scheduled: '2027-03-13T20:30-05:00',
          busy: true,
          dials: ['2027-03-13T20:30-05:00', '2027-03-14T08:00-04:00', '2027-03-14T10:00-04:00'],
        },
        // New York falls back 2027-11-07 02:00 EDT → 01:00 EST: 01:30 comes twice, 08:00 once, in EST.
        {
          label: 'NY in the repeated hour',
          zone: NY,
          scheduled: '2027-11-07T01:30-04:00',
          dials: ['2027-11-07T08:00-05:00'],
        },
        {
          label: 'NY redials across the autumn change',
          zone: NY,
          scheduled: '2027-11-06T20:30-04:00',
          busy: true,
          dials: ['2027-11-06T20:30-04:00', '2027-11-07T08:00-05:00', '2027-11-07T10:00-05:00'],
        },
        {
          label: 'NY at 20:59, a minute before closing',
          zone: NY,
          scheduled: '2027-11-07T20:59-05:00',
          busy: true,
          dials: ['2027-11-07T20:59-05:00', '2027-11-08T08:00-05:00', '2027-11-08T10:00-05:00'],
        },
        // Kolkata keeps +05:30 all year.
        {
          label: 'Kolkata 06:30',
          zone: KOLKATA,
          scheduled: '2027-03-14T06:30+05:30',
          dials: ['2027-03-14T08:00+05:30'],
        },
        {
          label: 'Kolkata redials overnight',
          zone: KOLKATA,
          scheduled: '2027-03-13T20:30+05:30',
          busy: true,
          dials: ['2027-03-13T20:30+05:30', '2027-03-14T08:00+05:30', '2027-03-14T10:00+05:30'],
        },
        // Auckland falls back 2027-04-04 03:00 NZDT → 02:00 NZST and springs forward 2027-09-26 02:00 → 03:00.
        {
          label: 'Auckland autumn DST morning 06:30',
          zone: AUCKLAND,
          scheduled: '2027-04-04T06:30+12:00',
          dials: ['2027-04-04T08:00+12:00'],
        },
        {
          label: 'Auckland redials across the autumn change',
          zone: AUCKLAND,
          scheduled: '2027-04-03T20:30+13:00',
          busy: true,
          dials: ['2027-04-03T20:30+13:00', '2027-04-04T08:00+12:00', '2027-04-04T10:00+12:00'],
        },
        {
          label: 'Auckland spring DST morning 06:30',
          zone: AUCKLAND,
          scheduled: '2027-09-26T06:30+13:00',
          dials: ['2027-09-26T08:00+13:00'],
        },
        {
          label: 'Auckland redials across the spring change',
          zone: AUCKLAND,
          scheduled: '2027-09-25T20:30+12:00',
          busy: true,
          dials: ['2027-09-25T20:30+12:00', '2027-09-26T08:00+13:00', '2027-09-26T10:00+13:00'],
        },
        // Lord Howe moves half an hour: 2027-04-04 02:00 → 01:30 (+10:30), 2027-10-03 02:00 → 02:30 (+11:00).
        {
          label: 'Lord Howe autumn DST morning 06:30',
          zone: LORD_HOWE,
          scheduled: '2027-04-04T06:30+10:30',
          dials: ['2027-04-04T08:00+10:30'],
        },
        {
          label: 'Lord Howe redials across the autumn change',
          zone: LORD_HOWE,
          scheduled: '2027-04-03T20:30+11:00',
          busy: true,
          dials: ['2027-04-03T20:30+11:00', '2027-04-04T08:00+10:30', '2027-04-04T10:00+10:30'],
        },
        {
          label: 'Lord Howe spring DST morning 06:30',
          zone: LORD_HOWE,
          scheduled: '2027-10-03T06:30+11:00',
          dials: ['2027-10-03T08:00+11:00'],
        },
        {
          label: 'Lord Howe redials across the spring change',
          zone: LORD_HOWE,
          scheduled: '2027-10-02T20:30+10:30',
          busy: true,
          dials: ['2027-10-02T20:30+10:30', '2027-10-03T08:00+11:00', '2027-10-03T10:00+11:00'],
        },
      ],
      41,
    );
  });

  it("reads custom windows without a time zone on each contact's clock, a window opening in the skipped hour included", async () => {
    // Weekdays 09:00-17:00, Saturday closed, and a Sunday window opening at 02:15: on a spring-forward
    // Sunday that time does not exist in any of these zones but Kolkata, so the window opens when the
    // clock jumps (03:00 in New York and Auckland, 02:30 on Lord Howe).
    const hours: CallingHours = {
      days: [
        ...(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const).map((day) => ({
          day,
          start: '09:00',
          end: '17:00',
        })),
        { day: 'sunday', start: '02:15', end: '04:00' },
      ],
    };
    await expectDialsInsideWindows(
      hours,
      [
        {
          label: 'NY Sunday before the skip',
          zone: NY,
          scheduled: '2027-03-14T00:30-05:00',
          dials: ['2027-03-14T03:00-04:00'],
        },
        {
          label: 'NY Sunday 06:30, after the Sunday window',
          zone: NY,
          scheduled: '2027-03-14T06:30-04:00',
          dials: ['2027-03-15T09:00-04:00'],
        },
        {
          label: 'NY redials from Friday over the spring change',
          zone: NY,
          scheduled: '2027-03-12T16:30-05:00',
          busy: true,
          dials: ['2027-03-12T16:30-05:00', '2027-03-14T03:00-04:00', '2027-03-15T09:00-04:00'],
        },
        {
          label: 'NY redials from Friday over the autumn change',
          zone: NY,
          scheduled: '2027-11-05T16:30-04:00',
          busy: true,
          dials: ['2027-11-05T16:30-04:00', '2027-11-07T02:15-05:00', '2027-11-08T09:00-05:00'],
        },
        {
          label: 'Kolkata Sunday before 02:15',
          zone: KOLKATA,
          scheduled: '2027-03-14T00:30+05:30',
          dials: ['2027-03-14T02:15+05:30'],
        },
        {
          label: 'Kolkata redials from Friday',
          zone: KOLKATA,
          scheduled: '2027-03-12T16:30+05:30',
          busy: true,
          dials: ['2027-03-12T16:30+05:30', '2027-03-14T02:15+05:30', '2027-03-15T09:00+05:30'],
        },
        {
          label: 'Auckland Sunday before the skip',
          zone: AUCKLAND,
          scheduled: '2027-09-26T00:30+12:00',
          dials: ['2027-09-26T03:00+13:00'],
        },
        {
          label: 'Auckland autumn Sunday 06:30',
          zone: AUCKLAND,
          scheduled: '2027-04-04T06:30+12:00',
          dials: ['2027-04-05T09:00+12:00'],
        },
        {
          label: 'Auckland redials from Friday over the spring change',
          zone: AUCKLAND,
          scheduled: '2027-09-24T16:30+12:00',
          busy: true,
          dials: ['2027-09-24T16:30+12:00', '2027-09-26T03:00+13:00', '2027-09-27T09:00+13:00'],
        },
        {
          label: 'Lord Howe Sunday before the skip',
          zone: LORD_HOWE,
          scheduled: '2027-10-03T00:30+10:30',
          dials: ['2027-10-03T02:30+11:00'],
        },
        {
          label: 'Lord Howe spring Sunday 06:30',
          zone: LORD_HOWE,
          scheduled: '2027-10-03T06:30+11:00',
          dials: ['2027-10-04T09:00+11:00'],
        },
        {
          label: 'Lord Howe redials from Friday over the spring change',
          zone: LORD_HOWE,
          scheduled: '2027-10-01T16:30+10:30',
          busy: true,
          dials: ['2027-10-01T16:30+10:30', '2027-10-03T02:30+11:00', '2027-10-04T09:00+11:00'],
        },
      ],
      42,
    );
  });

  it("reads a window with a time zone on that zone's clock, whatever the contact's own zone", async () => {
    const hours: CallingHours = { timezone: LORD_HOWE, days: DEFAULT_HOURS.days };
    await expectDialsInsideWindows(
      hours,
      [
        // 06:30 on Lord Howe is 16:30 the day before in New York, inside New York's own window.
        {
          label: 'NY contact on Lord Howe hours',
          zone: NY,
          scheduled: '2027-04-04T06:30+10:30',
          dials: ['2027-04-04T08:00+10:30'],
        },
        {
          label: 'NY contact redialed on Lord Howe hours',
          zone: NY,
          scheduled: '2027-04-03T20:30+11:00',
          busy: true,
          dials: ['2027-04-03T20:30+11:00', '2027-04-04T08:00+10:30', '2027-04-04T10:00+10:30'],
        },
      ],
      43,
    );
  });
});
