import type { CallingHours } from '../../src/domain/calling-window';
import type { CampaignCounters } from '../../src/domain/counters';
import type { Engine } from './engine';
import { contactIdFor } from '../../src/campaigns/store';
import type { CampaignDoc } from '../../src/campaigns/model';
import type { CampaignSettingsInput, ContactInput } from '../../src/campaigns/schemas';

/** Open around the clock, so tests on the real clock do not depend on the hour they run at. */
export const ALWAYS_OPEN: CallingHours = {
  days: (['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const).map(
    (day) => ({
      day,
      start: '00:00',
      end: '24:00',
    }),
  ),
};

/** Creates a campaign with contacts and starts it (in the engine's account unless told); returns its id. */
export async function storedCampaign(engine: Engine, campaignId: string): Promise<CampaignDoc> {
  const campaign = await engine.store.getCampaign(campaignId);
  if (!campaign) throw new Error(`no campaign ${campaignId}`);
  return campaign;
}

/** The id a campaign gives the contact of this number (E.164). */
export async function contactIdIn(engine: Engine, campaignId: string, e164: string): Promise<string> {
  return contactIdFor(await storedCampaign(engine, campaignId), e164);
}

/** A stored campaign's contacts, in upload order. */
export async function storedContacts(engine: Engine, campaignId: string) {
  return engine.store.listContacts(await storedCampaign(engine, campaignId), { limit: 1000, offset: 0 });
}

export async function launchCampaign(
  engine: Engine,
  settings: Partial<CampaignSettingsInput>,
  contacts: ContactInput[],
  accountId = engine.accountId,
): Promise<string> {
  const campaign = await engine.service.createCampaign(accountId, {
    name: 'test campaign',
    agentId: 'agent-1',
    callingHours: ALWAYS_OPEN,
    ...settings,
  });
  for (let i = 0; i < contacts.length; i += 1000) {
    await engine.service.uploadContacts(accountId, campaign._id, contacts.slice(i, i + 1000));
  }
  await engine.service.startCampaign(accountId, campaign._id);
  return campaign._id;
}

/**
 * A finished campaign's counters against what else saw it: the carrier's ledger (one call per
 * attempt counted, none twice, never more than `maxConcurrentCalls` at once) and the MongoDB
 * records (the campaign's counts, its contacts by status, its calls by outcome).
 */
export async function expectCountersToMatchRecords(
  engine: Engine,
  campaignId: string,
  counters: CampaignCounters,
  maxConcurrentCalls: number,
): Promise<void> {
  const calls = engine.carrier.ledger.calls({ campaignId });
  expect(calls).toHaveLength(counters.calls.placed);
  expect(new Set(calls.map((c) => c.idempotencyKey)).size).toBe(calls.length);
  expect(engine.carrier.ledger.campaignStats(campaignId).peakConcurrent).toBeLessThanOrEqual(
    maxConcurrentCalls,
  );
  const ledgerOutcomes: Record<string, number> = {};
  for (const c of calls) if (c.outcome) ledgerOutcomes[c.outcome] = (ledgerOutcomes[c.outcome] ?? 0) + 1;
  for (const [outcome, n] of Object.entries(ledgerOutcomes))
    expect(counters.calls[outcome as 'answered']).toBe(n);

  const record = await engine.store.getCampaign(campaignId);
  expect(record?.status).toBe('completed');
  expect(record?.counts).toEqual(counters);
  const byStatus = await engine.store.countContacts(record!);
  expect(byStatus).toEqual(Object.fromEntries(Object.entries(counters.contacts).filter(([, n]) => n > 0)));
  const recorded = await engine.store.countCalls(campaignId);
  expect(recorded.placed).toBe(counters.calls.placed);
  expect(recorded.outcomes).toEqual(ledgerOutcomes);
}
