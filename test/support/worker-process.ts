import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Ends the worker and everything it started, at once and without warning. */
  kill(): Promise<void>;
  /** Asks the worker to stop and waits until it has. */
  stop(): Promise<void>;
}

const root = join(__dirname, '..', '..');

/** `npm run worker` as a process of its own (and its own process group), for crash tests. */
export function startWorkerProcess(env: NodeJS.ProcessEnv): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/worker/main.ts')], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid as number), sig);
    await exited;
  };
  return { child, output: () => out, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}
