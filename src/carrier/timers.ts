/**
 * Sleeps that can all be cut short at once, so closing the carrier leaves no timer holding the
 * process open and no half-finished call carrying on behind a closed ledger.
 */
export class CancellableTimers {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();
  private closedFlag = false;

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Resolves true after `ms`, or false once the timers are closed. */
  sleep(ms: number): Promise<boolean> {
    if (this.closedFlag) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve(true);
      }, ms);
      this.pending.set(timer, () => resolve(false));
    });
  }

  /** Like sleep, but until a point in time; a time already past costs no timer. */
  sleepUntil(atMs: number): Promise<boolean> | boolean {
    const ms = atMs - Date.now();
    if (ms <= 0) return !this.closedFlag;
    return this.sleep(ms);
  }

  close(): void {
    this.closedFlag = true;
    for (const [timer, cancel] of this.pending) {
      clearTimeout(timer);
      cancel();
    }
    this.pending.clear();
  }
}
