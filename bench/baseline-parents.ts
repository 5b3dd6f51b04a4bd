import { Runtime, DefaultLogger } from '@temporalio/worker';
import { countArgs, percentile, round } from './client';
import { runBaseline } from './scenarios/throughput';
import { Stack } from './stack';

/**
 * `npx tsx bench/baseline-parents.ts [children] [parents] [rounds]`: whether the server starts and
 * finishes children faster when several parents share them. Runs the bare-Temporal baseline of the
 * throughput bench (`children`, default 3,000, in a window of 200) on one parent and on `parents`
 * (default 4) in turn, `rounds` times each (default 3), on one fresh Temporal dev server, and
 * prints each run's children a second and the medians.
 */
async function main(): Promise<void> {
  const [children, parents, rounds] = countArgs(
    'npx tsx bench/baseline-parents.ts [children] [parents] [rounds]',
    3000,
    4,
    3,
  );
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const stack = new Stack({ simCallMs: 0, log: (line) => console.log(line) });
  const rates = new Map<number, number[]>([
    [1, []],
    [parents, []],
  ]);
  try {
    await stack.start();
    for (let pass = 1; pass <= rounds; pass++) {
      for (const n of rates.keys()) {
        const run = await runBaseline(stack, children, 200, n);
        rates.get(n)?.push(run.childrenPerS);
        console.log(
          `pass ${pass}, ${n} parent(s): ${children} children in ${run.wallS} s, ${run.childrenPerS}/s`,
        );
      }
    }
  } finally {
    await stack.stop({ keepData: false });
  }
  const median = (n: number) => round(percentile(rates.get(n) ?? [], 50));
  const [one, several] = [median(1), median(parents)];
  console.log(
    `median children/s: 1 parent ${one}, ${parents} parents ${several} (ratio ${round(several / one, 2)})`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
