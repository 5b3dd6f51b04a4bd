/**
 * Contact workflows a campaign asks the server to start in one workflow task, at most. The server
 * starts one parent's children one after another, each under the parent's lock, and a task that
 * asked for 200 at once left the campaign's next task undelivered behind them until the server
 * timed it out, 10 s later, at every new run (BENCHMARKS.md, "Starting a run's lines in steps").
 * Steps of this size fill 200 free lines within a few tasks; a campaign in its stride asks for
 * far fewer a task.
 */
export const STARTS_PER_TASK = 25;
