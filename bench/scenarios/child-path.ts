import { temporal } from '@temporalio/proto';
import { percentile, round } from '../client';
import { eventMs, type History } from '../histories';
import type { Stack } from '../stack';

const { EventType } = temporal.api.enums.v1;

/**
 * The legs of a child's life under a parent that keeps a fixed window of children running, in
 * order: the parent's request to start it, the child's tasks, and the parent's task that learns of
 * its end (and starts the next). A slot of the window is busy for their sum, so with 200 slots the
 * rate is 200 over that sum. The two legs between the first and the last task are 0 for a child
 * that needs one task (the baseline's); a contact waits there for the carrier's callbacks.
 */
export const CHILD_LEGS = [
  ['childStart', 'the parent asks the server to start it → started'],
  ['firstTaskWait', 'started → its first workflow task taken by a worker'],
  ['firstTask', 'its first task (a contact: the dial) → completed'],
  ['betweenTasks', 'first task completed → its last task taken'],
  ['lastTask', 'its last task (a contact: the attempt record) → completed'],
  ['endToParent', 'closed → the parent told'],
  ['parentTurn', 'the parent told → its task that learned it completed'],
] as const;
export type ChildLeg = (typeof CHILD_LEGS)[number][0];

export interface ChildPath {
  /** Children whose histories were read: an even sample of those the parent saw end. */
  sampled: number;
  /** Workflow tasks a child needed (median). */
  tasksP50: number;
  /** The parent's workflow tasks over the children it started. */
  parentTasksPerChild: number;
  legs: Record<ChildLeg, { p50Ms: number; p90Ms: number }>;
  /** From the parent's request to start it to the parent's task that learned its end: a slot's cycle. */
  cycleP50Ms: number;
  cycleP90Ms: number;
}

interface ChildSeen {
  workflowId: string;
  initiatedAt: number;
  endToldAt?: number;
  parentActedAt?: number;
}

/**
 * The children the parent's runs started (when each was asked for, when its end was told and
 * acted on) and the workflow tasks the parent needed for them.
 */
function childrenOf(parentRuns: History[]): { children: ChildSeen[]; parentTasks: number } {
  const children: ChildSeen[] = [];
  let parentTasks = 0;
  for (const history of parentRuns) {
    const byInitiatedId = new Map<number, ChildSeen>();
    // Events that reach the parent while its task runs are written after that task; the next reads them.
    let told: ChildSeen[] = [];
    for (const event of history.events ?? []) {
      const type = event.eventType;
      if (type === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED) {
        const child = {
          workflowId: event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? '',
          initiatedAt: eventMs(event),
        };
        byInitiatedId.set(Number(event.eventId), child);
        children.push(child);
      } else if (type === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED) {
        const child = byInitiatedId.get(
          Number(event.childWorkflowExecutionCompletedEventAttributes?.initiatedEventId),
        );
        if (child) {
          child.endToldAt = eventMs(event);
          told.push(child);
        }
      } else if (type === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
        parentTasks += 1;
        for (const child of told) child.parentActedAt = eventMs(event);
        told = [];
      }
    }
  }
  return { children, parentTasks };
}

/**
 * Where a child's time goes, from the histories of the parent's runs and of `sample` of its children
 * (spread evenly over the run). Children that ended otherwise than by their result reaching the
 * run that started them (a contact redialled, or one handed over at a continue-as-new) are left out.
 */
export async function childPath(stack: Stack, parentRuns: History[], sample = 200): Promise<ChildPath> {
  const { children, parentTasks } = childrenOf(parentRuns);
  const ended = children.filter((c) => c.parentActedAt !== undefined);
  const step = Math.max(1, Math.floor(ended.length / sample));
  const chosen = ended.filter((_, i) => i % step === 0).slice(0, sample);
  const legs = Object.fromEntries(CHILD_LEGS.map(([leg]) => [leg, [] as number[]])) as Record<
    ChildLeg,
    number[]
  >;
  const tasks: number[] = [];
  const cycles: number[] = [];
  for (const child of chosen) {
    const history = await stack.ctx.temporal.workflow.getHandle(child.workflowId).fetchHistory();
    const events = history.events ?? [];
    const times = (type: temporal.api.enums.v1.EventType) =>
      events.filter((e) => e.eventType === type).map(eventMs);
    const started = times(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)[0];
    const taken = times(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
    const done = times(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    const closed = times(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)[0];
    const firstTaken = taken[0];
    const lastTaken = taken[taken.length - 1];
    const firstDone = done[0];
    const lastDone = done[done.length - 1];
    if (
      started === undefined ||
      closed === undefined ||
      firstTaken === undefined ||
      lastTaken === undefined ||
      firstDone === undefined ||
      lastDone === undefined ||
      child.endToldAt === undefined ||
      child.parentActedAt === undefined
    )
      continue;
    const single = done.length === 1;
    tasks.push(done.length);
    legs.childStart.push(started - child.initiatedAt);
    legs.firstTaskWait.push(firstTaken - started);
    legs.firstTask.push(firstDone - firstTaken);
    legs.betweenTasks.push(single ? 0 : lastTaken - firstDone);
    legs.lastTask.push(single ? 0 : lastDone - lastTaken);
    legs.endToParent.push(child.endToldAt - closed);
    legs.parentTurn.push(child.parentActedAt - child.endToldAt);
    cycles.push(child.parentActedAt - child.initiatedAt);
  }
  const summary = (values: number[]) => ({
    p50Ms: round(percentile(values, 50), 0),
    p90Ms: round(percentile(values, 90), 0),
  });
  return {
    sampled: cycles.length,
    tasksP50: percentile(tasks, 50),
    parentTasksPerChild: round(parentTasks / Math.max(1, children.length), 2),
    legs: Object.fromEntries(CHILD_LEGS.map(([leg]) => [leg, summary(legs[leg])])) as ChildPath['legs'],
    cycleP50Ms: round(percentile(cycles, 50), 0),
    cycleP90Ms: round(percentile(cycles, 90), 0),
  };
}
