import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { History } from '../../bench/histories';
import { handOvers } from '../../bench/scenarios/hand-overs';
import { parentTasks } from '../../bench/scenarios/throughput';

const { EventType } = temporal.api.enums.v1;

const at = (ms: number, eventType: temporal.api.enums.v1.EventType) => ({
  eventType,
  eventTime: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 },
});
const runOf = (startedAt: number, requests: number[], starts: number[]): History =>
  temporal.api.history.v1.History.fromObject({
    events: [
      at(startedAt, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
      ...requests.map((t) => at(t, EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED)),
      ...starts.map((t) => at(t, EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED)),
    ],
  });
/** The marker of a local activity that started contacts outside the run, with its result. */
const outsideStart = (ms: number, started: boolean[]) => ({
  ...at(ms, EventType.EVENT_TYPE_MARKER_RECORDED),
  markerRecordedEventAttributes: {
    details: {
      data: { payloads: [defaultPayloadConverter.toPayload({ activity_type: 'startContactWorkflows' })] },
      result: { payloads: [defaultPayloadConverter.toPayload(started)] },
    },
  },
});
const every = (from: number, to: number, stepMs: number) =>
  Array.from({ length: Math.floor((to - from) / stepMs) + 1 }, (_, i) => from + i * stepMs);

describe('handOvers', () => {
  // A run asks for children until 20 s and starts 10 a second from 1 s; the server works through
  // its pending starts until 30 s at 5 a second; the next run starts its first child at 34 s.
  const first = runOf(0, every(0, 20_000, 100), [...every(1000, 19_900, 100), ...every(20_200, 30_000, 200)]);
  const second = runOf(31_000, every(31_000, 40_000, 100), every(34_000, 40_000, 100));

  it('measures the drain, the gap and the time they cost at the run’s own rate', () => {
    const result = handOvers([first, second]);
    expect(result.count).toBe(1);
    const [h] = result.items;
    expect(h).toMatchObject({ run: 0, runRate: 10, drainS: 10, drainRate: 5, gapS: 4 });
    // 14 s of drain and gap, in which 50 children started: 5 s of work at 10 a second.
    expect(h?.lostS).toBe(9);
    expect(result).toMatchObject({ lostS: 9, drainP50S: 10, gapP50S: 4, drainShareP50: 0.5 });
  });

  it('names each hand-over by the run’s place among all runs, those that started no child included', () => {
    const idle = runOf(30_500, [], []);
    const third = runOf(41_000, every(41_000, 50_000, 100), every(42_000, 50_000, 100));
    expect(handOvers([idle, first, second, third]).items.map((h) => h.run)).toEqual([1, 2]);
  });

  it('counts the contacts a run winding down started outside itself, and the part of the gap until it closed', () => {
    const winding = temporal.api.history.v1.History.fromObject({
      events: [
        ...(first.events ?? []),
        outsideStart(30_500, [true, false, true]),
        at(33_000, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW),
      ],
    });
    const [h] = handOvers([winding, second]).items;
    // Its last starts are the two of 30.5 s; it closed 2.5 s later, and the next run started 1 s after.
    expect(h).toMatchObject({ gapS: 3.5, closeS: 2.5 });
  });

  it('finds nothing to say of a parent that ran once or started no child', () => {
    expect(handOvers([first]).count).toBe(0);
    expect(handOvers([first, runOf(41_000, [], [])]).count).toBe(0);
  });
});

describe('parentTasks', () => {
  it('gives each failed task the time the next one ran, in which the worker replayed the run', () => {
    const run = temporal.api.history.v1.History.fromObject({
      events: [
        at(0, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
        at(1000, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED),
        at(1000, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED),
        at(1050, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
        at(2000, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED),
        at(2010, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED),
        {
          ...at(2090, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED),
          workflowTaskFailedEventAttributes: {
            cause: temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
          },
        },
        at(2090, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED),
        at(2100, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED),
        at(11_700, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
      ],
    });
    const tasks = parentTasks([run]);
    expect(tasks).toMatchObject({
      completed: 2,
      failed: { WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND: 1 },
    });
    expect(tasks.incidents).toEqual([
      expect.objectContaining({ scheduledAtS: 2, lastedMs: 90, nextTaskMs: 9600 }),
    ]);
  });
});
