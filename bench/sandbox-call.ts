import { performance } from 'node:perf_hooks';
import vm from 'node:vm';

/**
 * `npx tsx bench/sandbox-call.ts`: what one call into a workflow sandbox costs, the way the
 * Temporal worker makes it (a compiled script run in the sandbox's context), with and without the
 * `timeout` the worker passes on every call (its `isolateExecutionTimeout`). Node enforces such a
 * timeout with a watchdog thread it creates and joins on each call (nodejs/node#47739), which the
 * worker's CPU profiles show as time in `runInContext` itself (BENCHMARKS.md, throughput).
 */
const CALLS = 20_000;
const ROUNDS = 7;

const context = vm.createContext({ enter: () => 1 });
const script = new vm.Script('enter()');

function microsPerCall(options: vm.RunningScriptOptions): { wall: number; cpu: number } {
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < CALLS; i += 1) script.runInContext(context, options);
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return { wall: (wallMs * 1000) / CALLS, cpu: (cpu.user + cpu.system) / CALLS };
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

const variants: [string, vm.RunningScriptOptions][] = [
  ['no timeout', {}],
  ['timeout 5 s (the worker default)', { timeout: 5000 }],
];
const samples = new Map(variants.map(([name]) => [name, { wall: [] as number[], cpu: [] as number[] }]));
// Alternate the variants so that a change in the machine's load falls on both.
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, options] of variants) {
    const { wall, cpu } = microsPerCall(options);
    samples.get(name)?.wall.push(wall);
    samples.get(name)?.cpu.push(cpu);
  }
}
console.log(`calls into a vm context, median of ${ROUNDS} rounds of ${CALLS.toLocaleString('en')}:`);
for (const [name, { wall, cpu }] of samples) {
  console.log(
    `  ${name.padEnd(34)} ${median(wall).toFixed(1)} µs wall, ${median(cpu).toFixed(1)} µs CPU a call`,
  );
}
