/**
 * Contact workflows a campaign asks the server to start in one workflow task, at most. The server
 * starts one parent's children one after another, each under the parent's lock, and a task that
 * asked for 200 at once left the campaign's next task undelivered behind them until the server
 * timed it out, 10 s later, at every new run (BENCHMARKS.md, "Starting a run's lines in steps").
 * Steps of this size fill 200 free lines within a few tasks; a campaign in its stride asks for
 * far fewer a task.
 */
export const STARTS_PER_TASK = 25;

/**
 * A contact the campaign holds for its scheduled time starts, with its dial permit, at most this
 * long before that time, when a line is free that no due contact waits for: a stall of the
 * campaign's tasks (continuing as new under load can take seconds) then does not make it late.
 * Its dial waits out the rest in the worker (`DialInput.notBefore`), so no wait is longer.
 */
export const START_AHEAD_MAX_MS = 15_000;
