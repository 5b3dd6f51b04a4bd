import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { campaignWorkflowId, contactWorkflowId } from '../../src/domain/ids';
import { syntheticNumbers } from '../../src/phones/synthetic-numbers';
import { launchCampaign } from '../support/campaigns';
import { startEngine, type Engine } from '../support/engine';

/**
 * Replays workflow histories through the current workflow code to catch non-determinism:
 * histories recorded by earlier code (test/workflow/histories, committed), and histories of a
 * campaign run here and now. A change to the workflows that cannot replay the committed
 * histories needs a patch (workflow versioning) before it ships; re-record them with
 * `RECORD_HISTORIES=1 npx jest --selectProjects workflow -- test/workflow/replay.test.ts`.
 */
const fixtures = join(__dirname, 'histories');
const { History } = temporal.api.history.v1;
type History = temporal.api.history.v1.IHistory;

async function replay(histories: { workflowId: string; history: History }[]): Promise<string[]> {
  const failures: string[] = [];
  const results = Worker.runReplayHistories(
    { workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! } },
    histories,
  );
  for await (const result of results) {
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
  }
  return failures;
}

describe('workflow replay', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({ timeSkipping: true });
  });
  afterAll(async () => {
    await engine.stop();
  });

  it('replays the committed histories without non-determinism', async () => {
    // Binary protobuf (History.encode): it replays exactly and needs no JSON mapping.
    const files = readdirSync(fixtures).filter((f) => f.endsWith('.binpb'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    const histories = files.map((f) => ({
      workflowId: f.replace(/\.binpb$/, ''),
      history: History.decode(readFileSync(join(fixtures, f))),
    }));
    expect(await replay(histories)).toEqual([]);
  });

  it('replays a fresh campaign with redials, pause and resume', async () => {
    const phones = syntheticNumbers({ count: 6, seed: 51, lastDigit: (i) => [1, 4, 6, 7, 8, 9][i]! });
    const campaignId = await launchCampaign(
      engine,
      { redialConfig: { enabled: true, maxAttempts: 3, retryIntervals: [600] } },
      phones.map((phone_number) => ({ phone_number })),
    );
    const handle = engine.client.workflow.getHandle(campaignWorkflowId(campaignId));
    await engine.service.pauseCampaign(engine.accountId, campaignId);
    await engine.service.resumeCampaign(engine.accountId, campaignId);
    await handle.result();

    const contacts = await engine.store.contacts.find({ campaignId }).toArray();
    const named = new Map<string, string>([['campaign', campaignWorkflowId(campaignId)]]);
    for (const c of contacts)
      named.set(`contact-ending-${c.phone.at(-1)}`, contactWorkflowId(campaignId, c._id));
    const histories = await Promise.all(
      [...named].map(async ([name, workflowId]) => ({
        name,
        workflowId,
        history: await engine.client.workflow.getHandle(workflowId).fetchHistory(),
      })),
    );
    expect(await replay(histories)).toEqual([]);

    if (process.env.RECORD_HISTORIES === '1') {
      // The campaign, a contact redialed until it gave up (4: no answer) and one answered on its third try (6).
      for (const h of histories.filter((h) =>
        ['campaign', 'contact-ending-4', 'contact-ending-6'].includes(h.name),
      )) {
        writeFileSync(join(fixtures, `${h.name}.binpb`), History.encode(h.history).finish());
      }
    }
  });
});
