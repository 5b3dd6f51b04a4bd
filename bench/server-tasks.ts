import { round } from './client';

/**
 * The Temporal server's own account of its history tasks (starting a child, dispatching a
 * workflow task, recording a close, writing visibility…), read from its Prometheus endpoint:
 * per task type, how many ran and their seconds from creation to done (`queue`, waits and retries
 * included) and in execution (`processing`, which includes waiting for a workflow's lock).
 */
export type ServerTaskTotals = Map<string, { count: number; queueS: number; processingS: number }>;

export interface ServerTaskRow {
  task: string;
  count: number;
  /** Mean from the task's creation to its completion. */
  meanQueueMs: number;
  /** Mean time executing it. */
  meanProcessingMs: number;
}

const SERIES = /^task_latency_(queue|processing)_(sum|count)\{([^}]*)\} (\S+)$/;

export async function readServerTasks(metricsUrl: string): Promise<ServerTaskTotals> {
  const text = await (await fetch(metricsUrl)).text();
  const totals: ServerTaskTotals = new Map();
  for (const line of text.split('\n')) {
    const match = SERIES.exec(line);
    if (!match) continue;
    const [, latency, kind, labels = '', value] = match;
    const task = /operation="([^"]*)"/.exec(labels)?.[1];
    if (!task) continue;
    const entry = totals.get(task) ?? { count: 0, queueS: 0, processingS: 0 };
    const n = Number(value);
    // Each latency has its own count of the same tasks; one of them is enough.
    if (kind === 'count' && latency === 'queue') entry.count += n;
    else if (kind === 'sum' && latency === 'queue') entry.queueS += n;
    else if (kind === 'sum') entry.processingS += n;
    totals.set(task, entry);
  }
  return totals;
}

/** The tasks that ran between two readings, most frequent first. */
export function serverTasksBetween(before: ServerTaskTotals, after: ServerTaskTotals): ServerTaskRow[] {
  const rows: ServerTaskRow[] = [];
  for (const [task, a] of after) {
    const b = before.get(task) ?? { count: 0, queueS: 0, processingS: 0 };
    const count = a.count - b.count;
    if (count <= 0) continue;
    rows.push({
      task,
      count,
      meanQueueMs: round(((a.queueS - b.queueS) * 1000) / count, 1),
      meanProcessingMs: round(((a.processingS - b.processingS) * 1000) / count, 1),
    });
  }
  return rows.sort((x, y) => y.count - x.count);
}
