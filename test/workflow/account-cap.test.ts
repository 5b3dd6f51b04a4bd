import { accountLinesWorkflowId, campaignWorkflowId } from '../../src/domain/ids';
import { syntheticNumbers } from '../../src/phones/synthetic-numbers';
import type { CampaignResult } from '../../workflows/campaign';
import { accountLinesQuery, statusQuery } from '../../workflows/messages';
import { launchCampaign } from '../support/campaigns';
import { startEngine, type Engine } from '../support/engine';
import { waitFor } from '../support/wait';

describe("an account's cap changed while its campaign runs, on the time-skipping server", () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({ timeSkipping: true, outcomeTimeoutS: 600 });
  });
  afterAll(async () => {
    await engine.stop();
  });

  it('follows the new cap within a minute, up and down', async () => {
    const account = await engine.accounts.upsertAccount({ name: 'capped', maxConcurrentCalls: 2 });
    // Calls whose outcome never comes stay live until the outcome timeout, 600 s of server time.
    const phones = syntheticNumbers({ count: 8, seed: 81, lastDigit: () => 1 });
    const campaignId = await launchCampaign(
      engine,
      { maxConcurrentCalls: 4, isContextBasedCall: true },
      phones.map((phone_number) => ({ phone_number, custom_data: { simulate: { noCallback: true } } })),
      account._id,
    );
    const campaign = engine.client.workflow.getHandle(campaignWorkflowId(campaignId));
    const lines = (n: number, live: number) =>
      waitFor(`${n} lines, ${live} calls live`, async () => {
        const s = await campaign.query(statusQuery);
        return s.accountLines === n && s.liveCalls === live ? s : undefined;
      });

    await lines(2, 2);
    await engine.accounts.setMaxConcurrentCalls(account._id, 4);
    await engine.env!.sleep(61_000);
    await lines(4, 4);

    // Lowered, the cap holds the calls already live and starts none until they are below it.
    await engine.accounts.setMaxConcurrentCalls(account._id, 1);
    await engine.env!.sleep(61_000);
    await lines(1, 4);
    const account1 = await engine.client.workflow
      .getHandle(accountLinesWorkflowId(account._id))
      .query(accountLinesQuery);
    expect(account1).toMatchObject({ cap: 1, inUse: 4 });

    const done = (await campaign.result()) as CampaignResult;
    expect(done.status).toBe('completed');
    expect(done.counters.contacts.failed).toBe(8);
    expect(engine.carrier.ledger.calls({ campaignId })).toHaveLength(8);
  });
});
