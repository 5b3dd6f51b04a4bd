import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/dev/processes';

/** Processes whose command line mentions `needle` (our temp data dir names every server we started). */
function processesMentioning(needle: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(needle) && !line.includes('ps -eo'));
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('npm run dev', () => {
  it('brings up the API with healthy Temporal and MongoDB and the Web UI, and leaves no process after Ctrl-C', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dev-launcher-'));
    const [port, temporalPort, uiPort, mongoPort, carrierPort] = await Promise.all(
      [1, 2, 3, 4, 5].map(() => freePort()),
    );
    const apiKey = 'dev-launcher-test-key-0123456789';
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      MONGODB_PORT: String(mongoPort),
      CARRIER_PORT: String(carrierPort),
      DEV_API_KEY: apiKey,
      LOG_LEVEL: 'warn',
    };
    // The suite's own servers are not for this launcher: it must find or start its own.
    delete env.TEMPORAL_ADDRESS;
    delete env.MONGODB_URI;
    const child = spawn('npm', ['run', 'dev'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const health = await Promise.race([
        waitFor(
          'healthz',
          async () => {
            const res = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { 'x-api-key': apiKey } });
            return res.status === 200
              ? ((await res.json()) as { temporal: { status: string }; mongodb: { status: string } })
              : undefined;
          },
          240_000,
        ),
        exited.then((code) => {
          throw new Error(`npm run dev exited (${code}) before it was healthy`);
        }),
      ]).catch((err: unknown) => {
        // A launcher that gave up says why in its output.
        throw new Error(`${String(err)}\n--- npm run dev output ---\n${output}`);
      });
      expect(health.temporal.status).toBe('up');
      expect(health.mongodb.status).toBe('up');
      expect((await fetch(`http://127.0.0.1:${uiPort}/`)).status).toBe(200);
      expect(output).toContain(`DEV_API_KEY      ${apiKey}`);
      expect(processesMentioning(dataDir).length).toBeGreaterThan(0);
    } finally {
      // What a terminal does on Ctrl-C: SIGINT to the whole foreground process group.
      if (child.exitCode === null && child.signalCode === null)
        process.kill(-(child.pid as number), 'SIGINT');
      await exited;
    }
    await waitFor(
      'servers to exit',
      () => Promise.resolve(processesMentioning(dataDir).length === 0 ? true : undefined),
      20_000,
    );
    expect(processesMentioning(dataDir)).toEqual([]);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
