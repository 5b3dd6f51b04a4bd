import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { benchProcess } from './fixtures/bench-process';

/** Whether something on this machine accepts connections on `port`. */
const accepting = (port: number): Promise<boolean> =>
  new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });

/**
 * `npm run bench` brings up its own Temporal dev server, FerretDB and the engine's processes; told
 * to stop (Ctrl-C, `kill`, `timeout`), it must stop all of them and exit, not run on.
 */
describe('the bench, told to stop', () => {
  it('stops the servers and processes it started, keeps their data and exits on SIGTERM', async () => {
    const [command, argv, options] = benchProcess(['--only', 'latency']);
    const bench = spawn(command, argv, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    bench.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    bench.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((done) => bench.once('exit', (code) => done(code)));
    const up = await Promise.race([
      new Promise<true>((ready) => {
        const check = () => {
          if (output.includes('engine up: ')) ready(true);
          else setTimeout(check, 100);
        };
        check();
      }),
      exited.then(() => false),
    ]);
    if (!up) throw new Error(`the bench exited before its engine was up:\n${output}`);

    // Temporal's gRPC port and Web UI, FerretDB, the API and the carrier, as the bench names them.
    const ports = [...new Set([...output.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1])))];
    expect(ports.length).toBeGreaterThanOrEqual(5);
    for (const port of ports) expect(await accepting(port)).toBe(true);

    bench.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(output).toContain("SIGTERM: stopping the servers and the engine's processes");
    const kept = /data, logs and ledger kept in (\S+)/.exec(output)?.[1];
    expect(kept).toEqual(expect.stringContaining('campaign-engine-bench-'));
    rmSync(kept!, { recursive: true, force: true });
    for (const port of ports) expect(await accepting(port)).toBe(false);
  });
});
