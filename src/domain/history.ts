/**
 * Events a campaign workflow run may reach before it continues as new, counting the two events of
 * each contact it must still hand over: well before the 10,000 we promise operators and Temporal's
 * hard stop at 51,200. It passes the mark only by the ends that arrive while it hands over.
 */
export const HISTORY_EVENTS_LIMIT = 6000;

/**
 * From this share of its limit (or the server's suggestion, whichever comes first) a run winds
 * down. Handing over contacts that end by result takes a signal each, and while a busy server
 * delivers them no line is refilled; winding down lets those contacts end on their own instead.
 */
export const WIND_DOWN_SHARE = 0.75;

export interface RunHistory {
  /** Events in the run's history so far. */
  length: number;
  /** The server suggests continuing as new. */
  suggested: boolean;
  /** Contacts this run started that will report their end by result. */
  endingByResult: number;
  limit: number;
  /** Runs recorded before winding down existed continue as soon as they are near the limit. */
  mayWindDown: boolean;
}

/**
 * What a campaign run does about its history length. `carry-on`: nothing. `wind-down`: the
 * contacts it starts report their end by signal, and it waits for those ending by result.
 * `continue-as-new`: now, handing over whichever contacts still end by result; when none is left
 * to wait for, or when handing over those left would take the run past its limit.
 */
export function historyStep(run: RunHistory): 'carry-on' | 'wind-down' | 'continue-as-new' {
  if (run.length + 2 * run.endingByResult > run.limit) return 'continue-as-new';
  if (!run.mayWindDown) return run.suggested ? 'continue-as-new' : 'carry-on';
  if (!run.suggested && run.length < WIND_DOWN_SHARE * run.limit) return 'carry-on';
  return run.endingByResult === 0 ? 'continue-as-new' : 'wind-down';
}
