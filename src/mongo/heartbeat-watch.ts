/**
 * The server checks a MongoDB client's monitors have under way, by server address: one that has
 * been under way longer than the driver's own timeouts allow will never end (see `watchMonitor`).
 */
export class HeartbeatWatch {
  private readonly since = new Map<string, number>();

  constructor(private readonly stuckAfterMs: number) {}

  started(address: string, at: number): void {
    this.since.set(address, at);
  }

  ended(address: string): void {
    this.since.delete(address);
  }

  /** The check under way longest, if it has been under way `stuckAfterMs` or more. */
  stuck(now: number): { address: string; forMs: number } | undefined {
    let oldest: { address: string; forMs: number } | undefined;
    for (const [address, at] of this.since) {
      const forMs = now - at;
      if (forMs >= this.stuckAfterMs && (!oldest || forMs > oldest.forMs)) oldest = { address, forMs };
    }
    return oldest;
  }

  clear(): void {
    this.since.clear();
  }
}
