import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { HttpVoiceAgentDialer } from '../../../src/dialers/http';
import {
  callRequest,
  makeTempDir,
  secret,
  startCarrier,
  startReceiver,
  useCleanup,
  waitFor,
} from './fixtures';

// Starting the carrier as a child process through tsx takes a second or two.
jest.setTimeout(30_000);

const cleanup = useCleanup();
const repoRoot = resolve(__dirname, '../../..');

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((done) => probe.close(() => done()));
  return port;
}

/** Polls /healthz until the child listens; fails fast if it died on the way. */
async function waitForHealth(url: string, died: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await fetch(`${url}/healthz`).then(
      (res) => res.ok,
      () => false,
    ))
  ) {
    if (died()) throw new Error('the carrier child exited before listening');
    if (Date.now() > deadline) throw new Error(`the carrier child did not listen within ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

describe('carrier killed with SIGKILL', () => {
  it('keeps every call it acknowledged: dedupe holds and the callbacks arrive after a restart', async () => {
    const receiver = await startReceiver(cleanup);
    const ledgerPath = join(makeTempDir(cleanup), 'carrier', 'ledger.jsonl');
    const port = await freePort();
    // `node --import tsx` rather than the tsx CLI: one process, so SIGKILL hits the carrier itself.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/carrier/main.ts'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        CARRIER_PORT: String(port),
        CARRIER_LEDGER: ledgerPath,
        SIM_CALL_MS: '600000',
        WEBHOOK_SECRET: secret,
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | number | null>((done) =>
      child.once('exit', (code, signal) => done(signal ?? code)),
    );
    cleanup(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });

    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, () => child.exitCode !== null || child.signalCode !== null);

    const dialer = new HttpVoiceAgentDialer({ baseUrl: url, secret });
    const requests = Array.from({ length: 20 }, (_, i) =>
      callRequest(receiver.url, { campaignId: 'crash', to: `+1415555012${i % 10}` }),
    );
    const placed = await Promise.all(requests.map((req) => dialer.placeCall(req)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(receiver.hits).toHaveLength(0);

    const restarted = await startCarrier(cleanup, { ledgerPath, simCallMs: 600_000 });
    expect(restarted.ledger.stats()).toMatchObject({ callsPlaced: 20, duplicatesRefused: 0 });

    const [repeated] = requests;
    const again =
      repeated && (await new HttpVoiceAgentDialer({ baseUrl: restarted.url, secret }).placeCall(repeated));
    expect(again).toEqual({ callId: placed[0]?.callId, duplicate: true });

    await waitFor(() => restarted.ledger.stats().liveCalls === 0, 5000, 'resumed callbacks');
    const completed = receiver.hits.filter((hit) => hit.signatureValid && hit.event?.event === 'completed');
    expect(completed.map((hit) => hit.event?.callId).sort()).toEqual(placed.map((p) => p.callId).sort());
  });
});
