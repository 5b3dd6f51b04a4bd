import { AdminCommands } from '../../src/admin/commands';
import { campaignStatusSchema } from '../../src/api/v1/schemas';
import type { CallView } from '../../src/carrier/ledger';
import { accountLinesWorkflowId, campaignWorkflowId } from '../../src/domain/ids';
import { syntheticNumbers } from '../../src/phones/synthetic-numbers';
import type { CampaignResult } from '../../workflows/campaign';
import { accountLinesQuery, statusQuery } from '../../workflows/messages';
import { launchCampaign } from '../support/campaigns';
import { startEngine, type Engine } from '../support/engine';
import { waitFor } from '../support/wait';

const ACCOUNT_CAP = 4;

/** The most calls live at once, from the ledger, at any moment from `from` on. */
function peakLiveFrom(calls: CallView[], from: number): number {
  const edges = calls.flatMap((c) => {
    const end = c.completedAt ? Date.parse(c.completedAt) : Infinity;
    return end < from
      ? []
      : [
          { at: Math.max(from, Date.parse(c.requestedAt)), d: 1 },
          { at: end, d: -1 },
        ];
  });
  edges.sort((x, y) => x.at - y.at || x.d - y.d);
  let live = 0;
  let peak = 0;
  for (const e of edges) {
    live += e.d;
    peak = Math.max(peak, live);
  }
  return peak;
}
/** Enough that each campaign is still dialing when the other pauses, on a slow machine too. */
const CONTACTS = 32;

describe("an account's cap on live calls, shared by its campaigns", () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({ simCallMs: 400 });
  });
  afterAll(async () => {
    await engine.stop();
  });

  const campaignStatus = (campaignId: string) =>
    engine.client.workflow.getHandle(campaignWorkflowId(campaignId)).query(statusQuery);
  /** Contacts enough that calls are still being placed well after a change of cap (80 × 400 ms on 4 lines). */
  const LONG_CAMPAIGN = 80;
  const launchOnFourLines = (accountId: string, seed: number) =>
    launchCampaign(
      engine,
      { maxConcurrentCalls: 4 },
      syntheticNumbers({ count: LONG_CAMPAIGN, seed, lastDigit: () => 1 }).map((phone_number) => ({
        phone_number,
      })),
      accountId,
    );
  /** Waits for the campaign of `launchOnFourLines` to complete; checks each contact was dialed once. */
  const completedEachDialedOnce = async (campaignId: string) => {
    const done = (await engine.client.workflow
      .getHandle(campaignWorkflowId(campaignId))
      .result()) as CampaignResult;
    expect(done.counters.contacts.completed).toBe(LONG_CAMPAIGN);
    const calls = engine.carrier.ledger.calls({ campaignId });
    expect(new Set(calls.map((c) => c.idempotencyKey)).size).toBe(LONG_CAMPAIGN);
    return calls;
  };
  const admin = () =>
    new AdminCommands(engine.mongo.db, { client: engine.client, taskQueue: engine.taskQueue });

  it('never has more calls live than the cap across two campaigns, shares it, and gives a paused one’s lines to the other', async () => {
    const account = await engine.accounts.upsertAccount({ name: 'capped', maxConcurrentCalls: ACCOUNT_CAP });
    // Each campaign alone may have the whole cap live: together they would have twice it.
    const launch = (seed: number) =>
      launchCampaign(
        engine,
        { maxConcurrentCalls: ACCOUNT_CAP },
        syntheticNumbers({ count: CONTACTS, seed, lastDigit: () => 1 }).map((phone_number) => ({
          phone_number,
        })),
        account._id,
      );
    const [a, b] = await Promise.all([launch(71), launch(72)]);
    const results = [a, b].map(
      (id) => engine.client.workflow.getHandle(campaignWorkflowId(id)).result() as Promise<CampaignResult>,
    );

    // Both under way at once, each with its share of the cap.
    const shared = await waitFor('both campaigns dialing', async () => {
      const [sa, sb] = await Promise.all([campaignStatus(a), campaignStatus(b)]);
      return sa.accountLines === ACCOUNT_CAP / 2 && sb.accountLines === ACCOUNT_CAP / 2
        ? [sa, sb]
        : undefined;
    });
    expect(shared.map((s) => s.liveCalls).every((n) => n <= ACCOUNT_CAP / 2)).toBe(true);
    const lines = await engine.client.workflow
      .getHandle(accountLinesWorkflowId(account._id))
      .query(accountLinesQuery);
    expect(lines.cap).toBe(ACCOUNT_CAP);
    expect(lines.holders.map((h) => h.campaignId).sort()).toEqual([a, b].sort());
    // The operator sees the share in the campaign's status too.
    const apiKey = await engine.accounts.addApiKey(account._id);
    const res = await fetch(`${engine.apiUrl}/v1/campaigns/${a}/status`, {
      headers: { 'x-api-key': apiKey },
    });
    expect(res.status).toBe(200);
    const status = campaignStatusSchema.parse(await res.json());
    expect(status.source).toBe('workflow');
    expect(status.account_lines).toBeLessThanOrEqual(ACCOUNT_CAP / 2);

    // Paused, a campaign wants no lines: the other gets the whole cap once the paused one's calls end.
    await engine.service.pauseCampaign(account._id, a);
    await waitFor('the running campaign to hold the whole cap', async () =>
      (await campaignStatus(b)).accountLines === ACCOUNT_CAP ? true : undefined,
    );
    await engine.service.resumeCampaign(account._id, a);

    for (const done of await Promise.all(results)) {
      expect(done.status).toBe('completed');
      expect(done.counters.contacts.completed).toBe(CONTACTS);
    }
    for (const id of [a, b]) {
      const calls = engine.carrier.ledger.calls({ campaignId: id });
      expect(calls).toHaveLength(CONTACTS);
      expect(new Set(calls.map((c) => c.idempotencyKey)).size).toBe(CONTACTS);
    }
    expect(engine.carrier.ledger.stats().peakConcurrentByAccount[account._id]).toBe(ACCOUNT_CAP);
    // Both campaigns left: the account's workflow completes.
    await engine.client.workflow.getHandle(accountLinesWorkflowId(account._id)).result();
  });

  it('learns every campaign’s lines again when an operator terminates the account’s workflow', async () => {
    const account = await engine.accounts.upsertAccount({
      name: 'capped, restarted',
      maxConcurrentCalls: ACCOUNT_CAP,
    });
    const launch = (seed: number, count: number) =>
      launchCampaign(
        engine,
        { maxConcurrentCalls: ACCOUNT_CAP },
        syntheticNumbers({ count, seed, lastDigit: () => 1 }).map((phone_number) => ({ phone_number })),
        account._id,
      );
    // b is long enough to still want more than its share, without a word to the account, throughout.
    const [a, b] = await Promise.all([launch(77, CONTACTS), launch(78, 150)]);
    const lines = () =>
      engine.client.workflow.getHandle(accountLinesWorkflowId(account._id)).query(accountLinesQuery);
    await waitFor('both campaigns holding their share', async () => {
      const [sa, sb] = await Promise.all([campaignStatus(a), campaignStatus(b)]);
      return sa.accountLines === ACCOUNT_CAP / 2 && sb.accountLines === ACCOUNT_CAP / 2 ? true : undefined;
    });

    await engine.client.workflow.getHandle(accountLinesWorkflowId(account._id)).terminate('operator');
    // The paused campaign's report starts a fresh run, which asks the other, steady one to report too.
    await engine.service.pauseCampaign(account._id, a);
    const known = await waitFor('the fresh run to know the paused campaign', async () => {
      const snapshot = await lines().catch(() => undefined);
      const ids = snapshot?.holders.map((h) => h.campaignId);
      return ids?.includes(a) ? ids.sort() : undefined;
    });
    expect(known).toEqual([a, b].sort());
    // Resumed, a wants the whole cap again: it may have only what b, still dialing, does not hold.
    await engine.service.resumeCampaign(account._id, a);

    for (const [id, count] of [
      [a, CONTACTS],
      [b, 150],
    ] as const) {
      const done = (await engine.client.workflow
        .getHandle(campaignWorkflowId(id))
        .result()) as CampaignResult;
      expect(done.counters.contacts.completed).toBe(count);
    }
    expect(engine.carrier.ledger.stats().peakConcurrentByAccount[account._id]).toBe(ACCOUNT_CAP);
  });

  it('lets a campaign whose contacts are held for later leave the cap to another until they are near', async () => {
    const account = await engine.accounts.upsertAccount({ name: 'capped, scheduled', maxConcurrentCalls: 2 });
    const dueAt = Date.now() + 30_000;
    const later = await launchCampaign(
      engine,
      { maxConcurrentCalls: 2, isScheduledCall: true },
      syntheticNumbers({ count: 2, seed: 74, lastDigit: () => 1 }).map((phone_number) => ({
        phone_number,
        scheduledCallDateTime: new Date(dueAt).toISOString(),
      })),
      account._id,
    );
    const now = await launchCampaign(
      engine,
      { maxConcurrentCalls: 2 },
      syntheticNumbers({ count: 90, seed: 75, lastDigit: () => 1 }).map((phone_number) => ({
        phone_number,
      })),
      account._id,
    );
    // Before the held contacts are near (15 s ahead), the other campaign has the whole cap.
    await waitFor('the due campaign to hold the whole cap', async () =>
      (await campaignStatus(now)).accountLines === 2 ? true : undefined,
    );
    expect((await campaignStatus(later)).accountLines).toBe(0);
    expect(Date.now()).toBeLessThan(dueAt - 15_000);

    const done = (await engine.client.workflow
      .getHandle(campaignWorkflowId(later))
      .result()) as CampaignResult;
    expect(done.counters.contacts.completed).toBe(2);
    const late = engine.carrier.ledger
      .calls({ campaignId: later })
      .map((c) => Date.parse(c.requestedAt) - dueAt);
    expect(late.every((ms) => ms >= 0 && ms < 2000)).toBe(true);
    await engine.client.workflow.getHandle(campaignWorkflowId(now)).result();
    expect(engine.carrier.ledger.stats().peakConcurrentByAccount[account._id]).toBe(2);
  });

  it('brings a campaign started while its account had no cap under the cap the operator sets', async () => {
    const account = await engine.accounts.upsertAccount({ name: 'capped later' });
    const campaignId = await launchOnFourLines(account._id, 76);
    await waitFor('the campaign dialing on its own cap', async () =>
      (await campaignStatus(campaignId)).liveCalls === 4 ? true : undefined,
    );
    expect((await campaignStatus(campaignId)).accountLines).toBeUndefined();

    // What `npm run admin -- set-account-cap` runs, with Temporal at hand.
    const set = await admin().setAccountCap(account._id, 2);
    expect(set.campaignsRunning).toBe(1);
    const cappedAt = await waitFor('the campaign within its grant', async () => {
      const status = await campaignStatus(campaignId);
      return status.accountLines === 2 && status.liveCalls <= 2 ? Date.now() : undefined;
    });

    const calls = await completedEachDialedOnce(campaignId);
    expect(engine.carrier.ledger.campaignStats(campaignId).peakConcurrent).toBe(4);
    const after = calls.filter((c) => Date.parse(c.requestedAt) >= cappedAt);
    expect(after.length).toBeGreaterThan(10);
    expect(peakLiveFrom(calls, cappedAt)).toBeLessThanOrEqual(2);
  });

  it('applies a cap the operator changes at once, lowered or taken off, not at its next minute', async () => {
    const account = await engine.accounts.upsertAccount({ name: 'cap changed', maxConcurrentCalls: 4 });
    const campaignId = await launchOnFourLines(account._id, 77);
    await waitFor('the campaign dialing on the whole cap', async () => {
      const status = await campaignStatus(campaignId);
      return status.accountLines === 4 && status.liveCalls === 4 ? true : undefined;
    });

    // The lines workflow, started with the campaign, reads the cap on its own only a minute on.
    const lowered = await admin().setAccountCap(account._id, 2);
    expect(lowered.campaignsRunning).toBe(1);
    const cappedAt = await waitFor(
      'the campaign within the lowered cap',
      async () => {
        const status = await campaignStatus(campaignId);
        return status.accountLines === 2 && status.liveCalls <= 2 ? Date.now() : undefined;
      },
      20_000,
    );
    const lines = await engine.client.workflow
      .getHandle(accountLinesWorkflowId(account._id))
      .query(accountLinesQuery);
    expect(lines.cap).toBe(2);

    const before = engine.carrier.ledger.calls({ campaignId }).length;
    await waitFor('calls placed under the lowered cap', () =>
      engine.carrier.ledger.calls({ campaignId }).length >= before + 6 ? true : undefined,
    );
    const uncapAsked = Date.now();
    await admin().setAccountCap(account._id, 0);
    await waitFor(
      'the campaign back on its own 4 lines',
      async () => ((await campaignStatus(campaignId)).accountLines === 4 ? true : undefined),
      20_000,
    );
    const uncappedAt = Date.now();

    const calls = await completedEachDialedOnce(campaignId);
    const underLowered = calls.filter((c) => Date.parse(c.requestedAt) < uncapAsked);
    expect(peakLiveFrom(underLowered, cappedAt)).toBeLessThanOrEqual(2);
    expect(peakLiveFrom(calls, uncappedAt)).toBe(4);
  });

  it('leaves a campaign of an account without a cap to its own', async () => {
    const campaignId = await launchCampaign(
      engine,
      { maxConcurrentCalls: 3 },
      syntheticNumbers({ count: 9, seed: 73, lastDigit: () => 1 }).map((phone_number) => ({ phone_number })),
    );
    const done = (await engine.client.workflow
      .getHandle(campaignWorkflowId(campaignId))
      .result()) as CampaignResult;
    expect(done.status).toBe('completed');
    expect(engine.carrier.ledger.campaignStats(campaignId).peakConcurrent).toBe(3);
    const accountWorkflows = [];
    for await (const run of engine.client.workflow.list({
      query: `WorkflowId = '${accountLinesWorkflowId(engine.accountId)}'`,
    }))
      accountWorkflows.push(run);
    expect(accountWorkflows).toEqual([]);
  });
});
