/**
 * Events a campaign workflow run may reach before it continues as new, counting the two events of
 * each contact it must still hand over: well before the 10,000 we promise operators and Temporal's
 * hard stop at 51,200. It passes the mark only by the ends that arrive while it hands over.
 */
export const HISTORY_EVENTS_LIMIT = 6000;
