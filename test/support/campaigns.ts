import type { CallingHours } from '../../src/domain/calling-window';
import type { Engine } from './engine';
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

/** Creates a campaign with contacts and starts it; returns its id. */
export async function launchCampaign(
  engine: Engine,
  settings: Partial<CampaignSettingsInput>,
  contacts: ContactInput[],
): Promise<string> {
  const campaign = await engine.service.createCampaign(engine.accountId, {
    name: 'test campaign',
    agentId: 'agent-1',
    callingHours: ALWAYS_OPEN,
    ...settings,
  });
  for (let i = 0; i < contacts.length; i += 1000) {
    await engine.service.uploadContacts(engine.accountId, campaign._id, contacts.slice(i, i + 1000));
  }
  await engine.service.startCampaign(engine.accountId, campaign._id);
  return campaign._id;
}
