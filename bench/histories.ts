import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Stack } from './stack';

export type History = temporal.api.history.v1.IHistory;
export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** An event's time in epoch milliseconds. */
export function eventMs(event: HistoryEvent): number {
  const time = event.eventTime;
  return Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6);
}

/** The result of a local activity of this type, from its marker; undefined for any other event. */
export function localActivityResult<T>(event: HistoryEvent, type: string): T | undefined {
  const details = event.markerRecordedEventAttributes?.details;
  const data = details?.data?.payloads?.[0];
  const result = details?.result?.payloads?.[0];
  if (!data || !result) return undefined;
  if (defaultPayloadConverter.fromPayload<{ activity_type?: string }>(data).activity_type !== type)
    return undefined;
  return defaultPayloadConverter.fromPayload<T>(result);
}

/**
 * The histories of every run of a workflow (each continue-as-new is a run), read once for all
 * readers, in the order the runs started (the server lists the newest first).
 */
export async function runHistories({ ctx }: Pick<Stack, 'ctx'>, workflowId: string): Promise<History[]> {
  const histories: History[] = [];
  for await (const run of ctx.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    histories.push(await ctx.temporal.workflow.getHandle(workflowId, run.runId).fetchHistory());
  }
  const startedAt = (h: History) => (h.events?.[0] ? eventMs(h.events[0]) : 0);
  return histories.sort((a, b) => startedAt(a) - startedAt(b));
}
