import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { campaignWorkflowId, contactWorkflowId } from '../../src/domain/ids';
import { syntheticNumbers } from '../../src/phones/synthetic-numbers';
import type { CampaignResult } from '../../workflows/campaign';
import type { ContactTransition } from '../../workflows/messages';
import { expectCountersToMatchRecords, launchCampaign } from '../support/campaigns';
import { contactInputIn, timeOf } from '../support/dials';
import { startEngine, type Engine } from '../support/engine';
import { waitFor } from '../support/wait';

const SOON = 100;
const SCHEDULED = 20;
const LINES = 20;

type History = temporal.api.history.v1.IHistory;

/** The contact workflows a campaign run started, by workflow id. */
function childrenStartedIn(history: History): string[] {
  return (history.events ?? []).flatMap(
    (e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? [],
  );
}

/** Whether a timer of the workflow fired: a contact that waited for its time in its dial has none. */
const timerFiredIn = (history: History) => (history.events ?? []).some((e) => e.timerFiredEventAttributes);

/** What a contact told its campaign by signal, in order. */
function reportsIn(history: History): ContactTransition['to'][] {
  return (history.events ?? []).flatMap((e) => {
    const payload = e.signalExternalWorkflowExecutionInitiatedEventAttributes?.input?.payloads?.[0];
    return payload ? [defaultPayloadConverter.fromPayload<ContactTransition>(payload).to] : [];
  });
}

/**
 * Contacts scheduled within the next minutes are held by the campaign, not started asleep: each
 * starts a moment before its time with its dial permit, and its dial waits for the time in the
 * worker. The hold is part of the campaign's state, so it survives continue-as-new and is
 * cancelled with the campaign.
 */
describe('scheduled contacts held by the campaign', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({ simCallMs: 300, env: { CAMPAIGN_HISTORY_LIMIT: '300' } });
  });
  afterAll(async () => {
    await engine.stop();
  });

  const result = (campaignId: string) =>
    engine.client.workflow.getHandle(campaignWorkflowId(campaignId)).result() as Promise<CampaignResult>;

  it('starts each held contact just before its time with its permit, across continue-as-new, and never dials early', async () => {
    const phones = syntheticNumbers({ count: SCHEDULED + SOON, seed: 81, lastDigit: (i) => i % 4 });
    // The soon ones, more than the lines take at once, fill the first run's history: it continues
    // as new while it holds the later ones, which are checked.
    const soon = new Date(Date.now() + 3000).toISOString();
    // Started at most 15 s ahead: the soon ones have long filled the first run's history by then.
    const firstAt = Date.now() + 40_000;
    const scheduledAt = new Map<string, number>();
    const contacts = phones.map((phone_number, i) => {
      if (i >= SCHEDULED) return { phone_number, scheduledCallDateTime: soon };
      const at = firstAt + i * 200;
      scheduledAt.set(phone_number, at);
      return { phone_number, scheduledCallDateTime: new Date(at).toISOString() };
    });
    const campaignId = await launchCampaign(
      engine,
      { isScheduledCall: true, maxConcurrentCalls: LINES },
      contacts,
    );
    await waitFor('the later contacts counted while held', async () => {
      const status = await engine.service.getStatus(engine.accountId, campaignId);
      const { scheduled, completed } = status.counters.contacts;
      return scheduled === SCHEDULED && completed === SOON ? true : undefined;
    });

    const { status, counters } = await result(campaignId);
    expect(status).toBe('completed');
    expect(counters.contacts.completed).toBe(SCHEDULED + SOON);
    await expectCountersToMatchRecords(engine, campaignId, counters, LINES);

    const workflowId = campaignWorkflowId(campaignId);
    const runs = [];
    for await (const run of engine.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
      runs.push(run);
    expect(runs.length).toBeGreaterThan(1);
    const firstRun = runs.reduce((a, b) => (a.startTime < b.startTime ? a : b));
    const firstRunHistory = await engine.client.workflow.getHandle(workflowId, firstRun.runId).fetchHistory();
    const startedByFirstRun = new Set(childrenStartedIn(firstRunHistory));

    const records = await engine.store.contacts.find({ campaignId }).toArray();
    const ledger = engine.carrier.ledger.calls({ campaignId });
    for (const record of records.filter((r) => scheduledAt.has(r.phone))) {
      const at = scheduledAt.get(record.phone) as number;
      const id = contactWorkflowId(campaignId, record._id);
      // Taken by the first run, started by a later one: the hold was carried.
      expect(startedByFirstRun.has(id)).toBe(false);
      const history = await engine.client.workflow.getHandle(id).fetchHistory();
      expect(contactInputIn(history)).toMatchObject({ permitted: true, startedAhead: true });
      expect(timeOf(history.events![0]!)).toBeLessThan(at);
      // It kept its permit while it slept: it asked for nothing and reported no sleep.
      expect(reportsIn(history)).not.toContain('scheduled');
      expect(reportsIn(history)).not.toContain('pending');
      // Its dial waited for the time in the worker: no timer woke it.
      expect(timerFiredIn(history)).toBe(false);
      const calls = ledger.filter((c) => c.contactId === record._id);
      expect(calls).toHaveLength(1);
      expect(Date.parse(calls[0]!.requestedAt)).toBeGreaterThanOrEqual(at);
    }
  }, 180_000);

  it('a contact whose dial waits for its time places no call once its campaign is cancelled', async () => {
    const at = Date.now() + 20_000;
    const [phone] = syntheticNumbers({ count: 1, seed: 83, lastDigit: () => 1 });
    const campaignId = await launchCampaign(engine, { isScheduledCall: true }, [
      { phone_number: phone!, scheduledCallDateTime: new Date(at).toISOString() },
    ]);
    // Started ahead (up to 15 s before its time, a line being free), its dial is waiting.
    await waitFor('the contact started ahead', async () => {
      const status = await engine.service.getStatus(engine.accountId, campaignId);
      return status.counters.contacts.dialing === 1 ? true : undefined;
    });
    expect(Date.now()).toBeLessThan(at - 2000);

    await engine.service.cancelCampaign(engine.accountId, campaignId);
    const done = await result(campaignId);
    expect(done.status).toBe('cancelled');
    expect(done.counters.contacts).toMatchObject({ cancelled: 1, dialing: 0 });
    const [record] = await engine.store.contacts.find({ campaignId }).toArray();
    expect(record?.status).toBe('cancelled');
    expect(await engine.store.calls.countDocuments({ campaignId })).toBe(0);
    expect(engine.carrier.ledger.calls({ campaignId })).toEqual([]);
  }, 60_000);

  it('cancelling marks the held contacts cancelled without ever starting them', async () => {
    const inFiveMinutes = Date.now() + 5 * 60_000;
    const phones = syntheticNumbers({ count: 10, seed: 82, lastDigit: () => 1 });
    const campaignId = await launchCampaign(
      engine,
      { isScheduledCall: true },
      phones.map((phone_number) => ({
        phone_number,
        scheduledCallDateTime: new Date(inFiveMinutes).toISOString(),
      })),
    );
    await waitFor('every contact held', async () => {
      const status = await engine.service.getStatus(engine.accountId, campaignId);
      return status.counters.contacts.scheduled === 10 ? true : undefined;
    });
    // With no workflow to ask, a held contact still says what it waits for.
    const campaign = await engine.store.getCampaign(campaignId);
    const [held] = await engine.store.contacts.find({ campaignId }).limit(1).toArray();
    expect(await engine.service.liveContact(campaign!, held!)).toMatchObject({
      status: 'scheduled',
      nextAttemptAt: new Date(inFiveMinutes),
    });

    await engine.service.cancelCampaign(engine.accountId, campaignId);
    const done = await result(campaignId);
    expect(done.status).toBe('cancelled');
    expect(done.counters.contacts).toMatchObject({ cancelled: 10, scheduled: 0, pending: 0 });
    const records = await engine.store.contacts.find({ campaignId }).toArray();
    expect(records.map((c) => c.status)).toEqual(Array(10).fill('cancelled'));
    expect((await engine.store.getCampaign(campaignId))?.counts).toEqual(done.counters);
    for (const record of records) {
      await expect(
        engine.client.workflow.getHandle(contactWorkflowId(campaignId, record._id)).describe(),
      ).rejects.toThrow(/not found/i);
    }
    expect(engine.carrier.ledger.calls({ campaignId })).toEqual([]);
  });
});

describe('scheduled contacts on a worker with no room for waiting dials', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({ simCallMs: 300, env: { WAITING_DIALS_MAX: '0' } });
  });
  afterAll(async () => {
    await engine.stop();
  });

  it('sleeps each contact to its time on a timer instead, and dials it once', async () => {
    const firstAt = Date.now() + 10_000;
    const phones = syntheticNumbers({ count: 5, seed: 84, lastDigit: () => 1 });
    const scheduledAt = new Map(phones.map((phone, i) => [phone, firstAt + i * 500]));
    const campaignId = await launchCampaign(
      engine,
      { isScheduledCall: true },
      phones.map((phone_number) => ({
        phone_number,
        scheduledCallDateTime: new Date(scheduledAt.get(phone_number)!).toISOString(),
      })),
    );
    const done = (await engine.client.workflow
      .getHandle(campaignWorkflowId(campaignId))
      .result()) as CampaignResult;
    expect(done.counters.contacts.completed).toBe(5);

    const ledger = engine.carrier.ledger.calls({ campaignId });
    expect(ledger).toHaveLength(5);
    for (const record of await engine.store.contacts.find({ campaignId }).toArray()) {
      const history = await engine.client.workflow
        .getHandle(contactWorkflowId(campaignId, record._id))
        .fetchHistory();
      expect(contactInputIn(history)).toMatchObject({ permitted: true, startedAhead: true });
      expect(timerFiredIn(history)).toBe(true);
      const [call] = ledger.filter((c) => c.contactId === record._id);
      expect(Date.parse(call!.requestedAt)).toBeGreaterThanOrEqual(scheduledAt.get(record.phone)!);
    }
    // The dials answered early wrote nothing: one call record a contact.
    expect(await engine.store.calls.countDocuments({ campaignId })).toBe(5);
  }, 60_000);
});
