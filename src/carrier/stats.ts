/**
 * Running counters over the ledger's events, each updated in O(1) (amortised) per event so that
 * replaying or serving 100,000 calls never rescans anything.
 */

/** The largest number of events that fell within any window of `windowMs`, fed in arrival order. */
export class SlidingWindowMax {
  private times: number[] = [];
  private head = 0;
  private best = 0;

  constructor(private readonly windowMs: number) {}

  get max(): number {
    return this.best;
  }

  add(atMs: number): void {
    const oldest = atMs - this.windowMs;
    let first = this.times[this.head];
    while (first !== undefined && first <= oldest) {
      this.head++;
      first = this.times[this.head];
    }
    this.times.push(atMs);
    this.best = Math.max(this.best, this.times.length - this.head);
    // Drop the expired prefix now and then, so memory follows the window and not the whole run.
    if (this.head >= 1024 && this.head * 2 >= this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}

export interface CallCounters {
  callsPlaced: number;
  duplicatesRefused: number;
  /** Callbacks the receiver acknowledged (in_progress and completed alike). */
  callbacksDelivered: number;
  /** Callbacks given up on: a 4xx answer or every retry spent. */
  callbacksFailed: number;
  /** Calls requested whose completed callback is not yet delivered or given up. */
  liveCalls: number;
  peakConcurrent: number;
  /** Most call requests in any one-second (sliding) window. */
  maxCallsPerSecond: number;
}

/** Counters for one scope: the whole carrier, a campaign or an account. */
export class CallTally {
  private placed = 0;
  private duplicates = 0;
  private delivered = 0;
  private failed = 0;
  private live = 0;
  private peak = 0;
  private readonly perSecond = new SlidingWindowMax(1000);

  get liveCalls(): number {
    return this.live;
  }

  get peakConcurrent(): number {
    return this.peak;
  }

  get maxCallsPerSecond(): number {
    return this.perSecond.max;
  }

  callPlaced(atMs: number): void {
    this.placed++;
    this.live++;
    if (this.live > this.peak) this.peak = this.live;
    this.perSecond.add(atMs);
  }

  callEnded(): void {
    this.live--;
  }

  duplicateRefused(): void {
    this.duplicates++;
  }

  callbackDelivered(): void {
    this.delivered++;
  }

  callbackFailed(): void {
    this.failed++;
  }

  counters(): CallCounters {
    return {
      callsPlaced: this.placed,
      duplicatesRefused: this.duplicates,
      callbacksDelivered: this.delivered,
      callbacksFailed: this.failed,
      liveCalls: this.live,
      peakConcurrent: this.peak,
      maxCallsPerSecond: this.perSecond.max,
    };
  }
}

/** One tally per key (campaign id, account id), made on first use. */
export class TallyMap {
  private readonly tallies = new Map<string, CallTally>();

  get(key: string): CallTally {
    let tally = this.tallies.get(key);
    if (tally === undefined) {
      tally = new CallTally();
      this.tallies.set(key, tally);
    }
    return tally;
  }

  find(key: string): CallTally | undefined {
    return this.tallies.get(key);
  }

  collect(pick: (tally: CallTally) => number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, tally] of this.tallies) out[key] = pick(tally);
    return out;
  }
}
