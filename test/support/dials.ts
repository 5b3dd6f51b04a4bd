import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { DialInput } from '../../activities';
import type { ContactWorkflowInput } from '../../workflows/contact';

export interface Dial {
  attempt: number;
  /** Server time: the time-skipping server's clock, which the carrier's wall-clock ledger does not follow. */
  atMs: number;
  /** A local activity (no calls-per-second cap), not a dial activity on the dial queue. */
  local: boolean;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** An event's server time, epoch ms. */
export const timeOf = (e: HistoryEvent) =>
  Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);

/** The input a contact workflow was started with, read from its history. */
export function contactInputIn(history: temporal.api.history.v1.IHistory): ContactWorkflowInput | undefined {
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return started && defaultPayloadConverter.fromPayload<ContactWorkflowInput>(started);
}

/**
 * The dials in a contact workflow's history, in order: a dial activity when its workflow scheduled
 * it; a local one (no calls-per-second cap) when its marker was recorded, just after it returned,
 * numbered on from the attempts the contact started with.
 */
export function dialsIn(history: temporal.api.history.v1.IHistory): Dial[] {
  const events = history.events ?? [];
  let attempt = contactInputIn(history)?.contact.attempts ?? 0;
  return events.flatMap((e): Dial[] => {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'dial' && scheduled.input?.payloads?.[0]) {
      const dial = defaultPayloadConverter.fromPayload<DialInput>(scheduled.input.payloads[0]);
      return [{ attempt: dial.attempt, atMs: timeOf(e), local: false }];
    }
    const marker = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0];
    if (
      marker &&
      defaultPayloadConverter.fromPayload<{ activity_type?: string }>(marker).activity_type === 'dial'
    ) {
      attempt += 1;
      return [{ attempt, atMs: timeOf(e), local: true }];
    }
    return [];
  });
}
