import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { round } from './client';

/** CPU seconds used so far, by process name: this process, and each child with its descendants. */
export type CpuSeconds = Record<string, number>;

interface Proc {
  pid: number;
  ppid: number;
  ticks: number;
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The name in parentheses may hold spaces; the fields after it are plain numbers.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** `worker` for `node --import tsx src/worker/main.ts`, `temporal` for the Temporal CLI, and so on. */
function processName(pid: number): string {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return 'exited';
  }
  const entry = argv.find((a) => a.endsWith('.ts') || a.endsWith('.js'));
  return entry && basename(argv[0] ?? '') === 'node' ? basename(dirname(entry)) : basename(argv[0] ?? '?');
}

/**
 * What the bench and the servers and engine processes it started have used of the CPU (Linux;
 * an empty record elsewhere). Two readings around a scenario give what each process spent on it.
 */
export function cpuSeconds(): CpuSeconds {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return {};
  }
  const procs = pids.map(readProc).filter((p): p is Proc => p !== undefined);
  const children = new Map<number, Proc[]>();
  for (const p of procs) {
    const siblings = children.get(p.ppid);
    if (siblings) siblings.push(p);
    else children.set(p.ppid, [p]);
  }
  const subtree = (p: Proc): number =>
    p.ticks + (children.get(p.pid) ?? []).reduce((sum, c) => sum + subtree(c), 0);
  const hz = clockTicks();
  const result: CpuSeconds = { bench: (readProc(process.pid)?.ticks ?? 0) / hz };
  for (const child of children.get(process.pid) ?? []) {
    const name = processName(child.pid);
    result[name] = (result[name] ?? 0) + subtree(child) / hz;
  }
  return result;
}

/** Seconds each process spent between two readings, largest first. */
export function cpuSpent(before: CpuSeconds, after: CpuSeconds): CpuSeconds {
  const spent = Object.entries(after).map(([name, s]) => [name, round(s - (before[name] ?? 0))] as const);
  return Object.fromEntries(spent.filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]));
}
