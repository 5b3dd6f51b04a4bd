import { defaultPayloadConverter } from '@temporalio/common';
import { createActivities } from '../../activities';
import { localActivityResult, runHistories, type History, type HistoryEvent } from '../../bench/histories';
import type { CampaignSettingsInput } from '../../src/campaigns/schemas';
import { defaultRedialConfig } from '../../src/domain/redial';
import { campaignWorkflowId, contactWorkflowId } from '../../src/domain/ids';
import { syntheticNumbers } from '../../src/phones/synthetic-numbers';
import type { CampaignResult, CampaignWorkflowInput } from '../../workflows/campaign';
import type { ContactResult } from '../../workflows/contact';
import { reportEndBySignal } from '../../workflows/messages';
import { expectCountersToMatchRecords, launchCampaign } from '../support/campaigns';
import { dialsIn } from '../support/dials';
import { startEngine, type Engine } from '../support/engine';

const CONTACTS = 120;
const LINES = 40;

/** The contacts a run started outside itself by this event, if it records that activity's result. */
const outsideStarts = (e: HistoryEvent) => localActivityResult<boolean[]>(e, 'startContactWorkflows');

/** Per run of a campaign but its last: the contacts it handed over, and those whose results it took. */
function runEnds(runs: History[]) {
  return runs.slice(0, -1).map((history) => {
    const events = history.events ?? [];
    const firstOutside = events.findIndex((e) => outsideStarts(e) !== undefined);
    return {
      handedOver: events.filter(
        (e) =>
          e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName === reportEndBySignal.name,
      ).length,
      byResult: events.filter((e) => e.childWorkflowExecutionCompletedEventAttributes).length,
      // Children it asked for after it first started contacts outside itself, winding down.
      childrenAfterOutside:
        firstOutside < 0
          ? 0
          : events.slice(firstOutside).filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)
              .length,
      startedOutside: events.some((e) => outsideStarts(e)?.includes(true)),
    };
  });
}

/** Per run of a campaign: whether the last run had taken every batch, and whether this one read for more. */
function runReads(runs: History[]) {
  return runs.map((history) => {
    const events = history.events ?? [];
    const started = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const input = started && defaultPayloadConverter.fromPayload<CampaignWorkflowInput>(started);
    return {
      allTaken: input?.carry?.allTaken === true,
      tookContacts: events.some(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'takeContacts',
      ),
    };
  });
}

/**
 * Launches a campaign of `phones`, waits for it to complete, and checks that every contact ended
 * once and that its counters match the records.
 */
async function completeCampaign(
  engine: Engine,
  phones: string[],
  settings: Partial<CampaignSettingsInput> & { maxConcurrentCalls: number },
) {
  const campaignId = await launchCampaign(
    engine,
    settings,
    phones.map((phone_number) => ({ phone_number })),
  );
  const workflowId = campaignWorkflowId(campaignId);
  const { counters, status } = (await engine.client.workflow
    .getHandle(workflowId)
    .result()) as CampaignResult;
  expect(status).toBe('completed');
  expect(counters.total).toBe(phones.length);
  expect(counters.contacts.completed + counters.contacts.failed).toBe(phones.length);
  await expectCountersToMatchRecords(engine, campaignId, counters, settings.maxConcurrentCalls);
  return { campaignId, workflowId };
}

/**
 * A campaign whose workflow continues as new every ~300 events, so that each hand-over finds
 * calls in progress: contacts that would have reported their end by result to the run that
 * started them. Every end must still be counted once, by the run that is current when it comes.
 */
describe('continue-as-new with calls in progress', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({ simCallMs: 1500, env: { CAMPAIGN_HISTORY_LIMIT: '300' } });
  });
  afterAll(async () => {
    await engine.stop();
  });

  it('counts every contact once across the runs, ended by result or by signal', async () => {
    const phones = syntheticNumbers({ count: CONTACTS, seed: 77, lastDigit: (i) => i % 10 });
    const { campaignId, workflowId } = await completeCampaign(engine, phones, {
      maxConcurrentCalls: LINES,
      redialConfig: { enabled: true, maxAttempts: 2, retryIntervals: [1] },
    });

    const runs = await runHistories(engine, workflowId);
    const ends = runEnds(runs);
    expect(ends.length).toBeGreaterThan(1);
    // So little room that winding down cannot wait for every call in progress to end.
    expect(ends.some((run) => run.handedOver > 0)).toBe(true);

    // Both ways an end is reported were taken, and some contacts were handed over mid-call.
    const contacts = await engine.store.contacts.find({ campaignId }).toArray();
    let byResult = 0;
    let handedOver = 0;
    for (const c of contacts) {
      const handle = engine.client.workflow.getHandle(contactWorkflowId(campaignId, c._id));
      const result = (await handle.result()) as ContactResult;
      if (result.end) byResult += 1;
      const history = await handle.fetchHistory();
      // No calls-per-second cap: every dial ran as a local activity.
      expect(dialsIn(history).map((d) => d.local)).toEqual(
        Array.from({ length: result.attempts }, () => true),
      );
      const signals = (history.events ?? []).map(
        (e) => e.workflowExecutionSignaledEventAttributes?.signalName,
      );
      if (signals.includes(reportEndBySignal.name)) {
        handedOver += 1;
        expect(result.end).toBeUndefined();
      }
    }
    expect(byResult).toBeGreaterThan(0);
    expect(byResult).toBeLessThan(CONTACTS);
    expect(handedOver).toBeGreaterThan(0);

    // Its redials outlast the taking of its one batch: the runs handed a campaign whose batches were
    // all taken start their contacts without reading for more.
    const reads = runReads(runs);
    expect(reads.some((run) => run.allTaken)).toBe(true);
    expect(reads.filter((run) => run.allTaken && run.tookContacts)).toEqual([]);
  }, 300_000);
});

/**
 * With room to wind down, a run continues as new once the contacts it started to end by result
 * have ended (those it starts meanwhile report by signal), so it hands none over; only calls so
 * slow (a machine shared with other heavy work) that waiting would pass the limit are handed over.
 * Without winding down, every run handed over 9 or 10 of its 10 lines.
 */
describe('continue-as-new after winding down', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({ simCallMs: 300, env: { CAMPAIGN_HISTORY_LIMIT: '800' } });
  });
  afterAll(async () => {
    await engine.stop();
  });

  it('waits for the ends it would have handed over, and counts every contact once', async () => {
    const phones = syntheticNumbers({ count: 400, seed: 78, lastDigit: (i) => i % 4 });
    const { campaignId, workflowId } = await completeCampaign(engine, phones, { maxConcurrentCalls: 10 });

    const runs = await runHistories(engine, workflowId);
    const ends = runEnds(runs);
    expect(ends.length).toBeGreaterThan(1);
    expect(ends.filter((run) => run.byResult > 0)).toEqual(ends);
    // Seldom any at all: fewer than one a run, where every run used to hand over 9 or 10.
    expect(ends.reduce((sum, run) => sum + run.handedOver, 0)).toBeLessThan(ends.length);

    // Winding down, a run starts its contacts outside itself, so that their ends add no events to
    // it while it continues as new, and it asks for no child after the first of those starts.
    // A run that started none outside had nothing left to start as it wound down (every contact
    // started, the redials each contact's own): no run after it starts any.
    expect(ends.some((run) => run.startedOutside)).toBe(true);
    const startsAny = runs.map((history) =>
      (history.events ?? []).some(
        (e) => e.startChildWorkflowExecutionInitiatedEventAttributes || outsideStarts(e)?.includes(true),
      ),
    );
    ends.forEach((run, i) => {
      if (!run.startedOutside) expect(startsAny.slice(i + 1)).not.toContain(true);
    });
    expect(ends.map((run) => run.childrenAfterOutside)).toEqual(ends.map(() => 0));
    let outside = 0;
    for (const c of await engine.store.contacts.find({ campaignId }).toArray()) {
      const described = await engine.client.workflow
        .getHandle(contactWorkflowId(campaignId, c._id))
        .describe();
      if (!described.parentExecution) outside += 1;
    }
    expect(outside).toBeGreaterThan(0);
    expect(outside).toBeLessThan(phones.length);
  }, 300_000);
});

/**
 * The activity a run winding down starts contacts with may run again (its worker died before the
 * run recorded its result): a start it made before is its own, known by the request's token; a
 * workflow another request started under the same id is not.
 */
describe('starting contacts outside the campaign run', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine();
  });
  afterAll(async () => {
    await engine.stop();
  });

  it('knows its own starts when run again, and no other', async () => {
    const { startContactWorkflows } = createActivities({
      ...engine.ctx,
      client: engine.client,
      dialer: { name: 'none', placeCall: () => Promise.reject(new Error('no dials in this test')) },
      log: engine.ctx.log,
      settings: {
        callbackUrl: 'http://127.0.0.1:1/unused',
        outcomeTimeoutS: 60,
        dialTaskQueue: 'unused',
        dialLocally: false,
        historyLimit: 6000,
        waitingDials: 0,
      },
    });
    const campaignId = `outside-${Date.now()}`;
    const contact = (n: number) => ({
      campaignId,
      accountId: engine.accountId,
      contact: {
        contactId: `c${n}`,
        phone: `+1415555010${n}`,
        timezones: ['America/Los_Angeles'],
        attempts: 0,
      },
      policy: {
        redial: defaultRedialConfig,
        isScheduledCall: false,
        isContextBasedCall: false,
        outcomeTimeoutS: 60,
        dialTaskQueue: 'unused',
      },
      permitted: false,
    });
    // A task queue no worker polls: the workflows start and wait, which is all this test reads.
    const taskQueue = `idle-${campaignId}`;
    const first = [contact(1), contact(2)];

    expect(await startContactWorkflows({ taskQueue, token: 'run-a/1', contacts: first })).toEqual([
      true,
      true,
    ]);
    // Run again with one more: the first two were its own starts, the third a new one.
    expect(
      await startContactWorkflows({ taskQueue, token: 'run-a/1', contacts: [...first, contact(3)] }),
    ).toEqual([true, true, true]);
    // Another request finds them started by someone else.
    expect(await startContactWorkflows({ taskQueue, token: 'run-b/1', contacts: [contact(2)] })).toEqual([
      false,
    ]);

    for (const n of [1, 2, 3]) {
      await engine.client.workflow.getHandle(contactWorkflowId(campaignId, `c${n}`)).terminate('test over');
    }
  }, 60_000);
});
