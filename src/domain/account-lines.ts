/**
 * The account-wide cap on live calls, shared out among the account's running campaigns. Pure
 * policy: the account-lines workflow keeps the holders and sends the grants this computes.
 *
 * A campaign never places more calls than it was granted. A grant taken back takes effect only
 * once the campaign has heard of it, so until it says so (by echoing the grant's `seq` in a
 * report) the account counts the lines as still held: its `ceiling`. Lines are given out only from
 * what the ceilings leave free, so the calls of all campaigns together never exceed the cap.
 */

/** What a campaign tells the account: lines it could use now, lines live now, the last grant it applied. */
export interface LinesReport {
  campaignId: string;
  want: number;
  inUse: number;
  /** The last grant the campaign applied: its `seq` (0 before any) and its lines. */
  grantSeq: number;
  granted: number;
  /** The campaign has settled (completed or cancelled): nothing is live and nothing will start. */
  leave?: boolean;
}

export interface LineHolder {
  campaignId: string;
  want: number;
  inUse: number;
  /** Lines the campaign may use by its latest grant. */
  granted: number;
  /** Lines the campaign may be using: its grant, or more while a smaller grant is on its way. */
  ceiling: number;
  /** `seq` of the latest grant sent, and of the latest one the campaign applied. */
  sentSeq: number;
  heardSeq: number;
}

/**
 * Takes a report into the holder it concerns. A campaign that left is dropped. One not known yet
 * (a new campaign, or any after the account's workflow was restarted) is taken at its word.
 */
export function applyReport(holders: LineHolder[], report: LinesReport): LineHolder[] {
  const rest = holders.filter((h) => h.campaignId !== report.campaignId);
  if (report.leave) return rest;
  const before = holders.find((h) => h.campaignId === report.campaignId);
  if (!before) {
    return [
      ...rest,
      {
        campaignId: report.campaignId,
        want: report.want,
        inUse: report.inUse,
        granted: report.granted,
        ceiling: Math.max(report.granted, report.inUse),
        sentSeq: report.grantSeq,
        heardSeq: report.grantSeq,
      },
    ];
  }
  const heardSeq = Math.max(before.heardSeq, report.grantSeq);
  const next: LineHolder = {
    ...before,
    want: report.want,
    inUse: report.inUse,
    heardSeq,
    // Once the latest grant is applied, the campaign uses at most that grant, or what is live.
    ceiling:
      heardSeq >= before.sentSeq
        ? Math.max(before.granted, report.inUse)
        : Math.max(before.ceiling, report.inUse),
  };
  return holders.map((h) => (h === before ? next : h));
}

/**
 * Fair shares of `cap` by want: each campaign gets what it wants up to an equal share of what is
 * left, the rest going round again; earlier holders get the odd line first. A cap of 0 (taken off
 * while campaigns ran under it) gives each what it wants.
 */
export function fairShares(
  cap: number,
  holders: readonly Pick<LineHolder, 'campaignId' | 'want'>[],
): Map<string, number> {
  if (cap <= 0) return new Map(holders.map((h) => [h.campaignId, h.want]));
  const shares = new Map(holders.map((h) => [h.campaignId, 0]));
  let left = cap;
  let open = holders.filter((h) => h.want > 0);
  while (left > 0 && open.length > 0) {
    const each = Math.max(1, Math.floor(left / open.length));
    for (const h of open) {
      const give = Math.min(each, h.want - (shares.get(h.campaignId) ?? 0), left);
      shares.set(h.campaignId, (shares.get(h.campaignId) ?? 0) + give);
      left -= give;
    }
    open = open.filter((h) => (shares.get(h.campaignId) ?? 0) < h.want);
  }
  return shares;
}

/**
 * New grants: a campaign above its fair share is cut to it at once (its ceiling stays until it
 * hears of the cut); one below is raised from the lines the ceilings leave free. Returns the
 * holders with their new grants and the ids of those whose grant changed (to be sent, with the
 * holder's new `sentSeq`).
 */
export function allocateLines(
  cap: number,
  holders: readonly LineHolder[],
): { holders: LineHolder[]; changed: string[] } {
  const shares = fairShares(cap, holders);
  const changed: string[] = [];
  const cut = holders.map((h) => {
    const share = shares.get(h.campaignId) ?? 0;
    if (share >= h.granted) return h;
    changed.push(h.campaignId);
    return { ...h, granted: share, sentSeq: h.sentSeq + 1 };
  });
  let free = cap > 0 ? cap - cut.reduce((sum, h) => sum + h.ceiling, 0) : Infinity;
  const next = cut.map((h) => {
    const share = shares.get(h.campaignId) ?? 0;
    // Lines the campaign's ceiling already counts are its own to use again.
    const room = Math.max(0, h.ceiling - h.granted);
    const give = Math.min(share - h.granted, room + Math.max(0, free));
    if (give <= 0) return h;
    free -= Math.max(0, give - room);
    changed.push(h.campaignId);
    const granted = h.granted + give;
    return { ...h, granted, ceiling: Math.max(h.ceiling, granted), sentSeq: h.sentSeq + 1 };
  });
  return { holders: next, changed: [...new Set(changed)] };
}
