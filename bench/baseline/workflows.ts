import { continueAsNew, executeChild, workflowInfo } from '@temporalio/workflow';

/**
 * The bare-Temporal baseline the throughput bench compares the engine with: a parent that runs
 * `total` children that do nothing, at most `window` at once (the campaign's pattern with
 * `maxConcurrentCalls` = `window`), continuing as new at the campaign's history length. What it
 * reaches is the limit of this server and SDK for child workflows on this machine.
 */
export interface BaselineInput {
  total: number;
  window: number;
  historyLimit: number;
  next?: number;
}

export async function baselineParent(input: BaselineInput): Promise<number> {
  const { workflowId } = workflowInfo();
  let next = input.next ?? 0;
  const open = new Set<Promise<void>>();
  for (;;) {
    while (next < input.total && open.size < input.window) {
      const child: Promise<void> = executeChild(baselineChild, {
        workflowId: `${workflowId}-child-${next}`,
      }).then(() => void open.delete(child));
      open.add(child);
      next += 1;
    }
    if (open.size === 0) return input.total;
    const info = workflowInfo();
    if (next < input.total && (info.continueAsNewSuggested || info.historyLength > input.historyLimit)) {
      await Promise.all(open);
      return continueAsNew<typeof baselineParent>({ ...input, next });
    }
    await Promise.race(open);
  }
}

export async function baselineChild(): Promise<void> {
  // Nothing: the baseline measures what starting and finishing a child costs.
}
