/**
 * Events a campaign workflow run may reach before it continues as new: well before the 10,000
 * we promise operators and Temporal's hard stop at 51,200. A run may pass it by what arrives while
 * it hands over (contacts in a call finish or switch to reporting by signal).
 */
export const HISTORY_EVENTS_LIMIT = 6000;
