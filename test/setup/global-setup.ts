import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ensureTimeSkippingServer,
  startLocalInfra,
  startOnFreshPorts,
  type LocalInfra,
} from '../../src/dev/infra';
import { bundleWorkflowCode } from '@temporalio/worker';
import { freePort } from '../../src/dev/processes';
import { workflowBundling } from '../../src/worker/worker';

declare global {
  var __testInfra: { infra?: LocalInfra; dataDir: string } | undefined;
}

/**
 * Brings up one real Temporal dev server and one real MongoDB-wire server for the whole run and
 * hands their addresses to the test files through the environment. Every project that needs
 * servers names this file, so it runs once per project: the first call does the work.
 */
export default async function globalSetup(): Promise<void> {
  if (globalThis.__testInfra) return;

  const dataDir = mkdtempSync(join(tmpdir(), 'campaign-engine-test-'));
  const log = (line: string) => process.stderr.write(`[infra] ${line}\n`);
  const base = { dataDir, cacheDir: resolve(process.env.CACHE_DIR ?? '.cache'), namespace: 'default', log };
  const testServer = await ensureTimeSkippingServer(base);
  // An outer TEMPORAL_ADDRESS or MONGODB_URI is honoured; otherwise the run gets servers of its own.
  const infra = await startOnFreshPorts(
    async () => ({ temporalPort: await freePort(), uiPort: await freePort(), mongoPort: await freePort() }),
    (ports) => startLocalInfra({ ...base, ...ports }),
    log,
  );
  globalThis.__testInfra = { infra, dataDir };
  process.env.TEMPORAL_ADDRESS = infra.temporal.address;
  process.env.MONGODB_URI = infra.mongo.uri;
  process.env.TEST_DATA_DIR = dataDir;
  if (testServer) process.env.TEMPORAL_TEST_SERVER_PATH = testServer;

  // Bundling the workflows takes seconds; one bundle serves every worker of the run.
  const bundle = await bundleWorkflowCode({ ...workflowBundling, logger: quietLogger });
  const bundlePath = join(dataDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.WORKFLOW_BUNDLE_PATH = bundlePath;
}

const ignore = () => undefined;
const quietLogger = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };
