/**
 * Contact workflows a campaign asks the server to start in one pass of its loop (one workflow
 * task, as a rule), at most. The server records each start in the campaign's history under the
 * campaign's lock, one after another, and a task that asked for 200 at once left the campaign's
 * next task undelivered behind them until the server timed it out, 10 s later, at every new run
 * (BENCHMARKS.md, "Where the campaign's tasks time out"). Steps of this size fill 200 free lines
 * within a few tasks; a campaign in its stride starts far fewer a task.
 */
export const STARTS_PER_TASK = 25;
