/** An answer and when the asking that gave it began: what it says held at that moment or later. */
export interface Dated<V> {
  value: V;
  at: number;
}

interface Entry<V> {
  last?: Dated<V>;
  asking?: Promise<Dated<V> | undefined>;
}

export interface LatestAnswersOptions {
  /** An answer this young is given as it is, without asking again. */
  freshMs: number;
  /**
   * While a newer answer is being asked for, one this young is given at once instead of waiting:
   * a caller polling a busy campaign gets the last state it reported, not a wait.
   */
  staleMs: number;
  now?: () => number;
}

/**
 * Answers to a costly question per key (a running workflow's query), shared among all who ask:
 * never more than one asking per key at a time, whatever the number of callers. An asking that
 * gives no answer (`undefined`, e.g. a timeout) keeps the last one. `forget` after a change this
 * process made, so that the next caller waits for an answer that saw it.
 */
export class LatestAnswers<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly now: () => number;
  private prunedAt = 0;

  constructor(
    private readonly ask: (key: string) => Promise<V | undefined>,
    private readonly options: LatestAnswersOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async get(key: string): Promise<Dated<V> | undefined> {
    const now = this.now();
    this.prune(now);
    let entry = this.entries.get(key);
    if (!entry) this.entries.set(key, (entry = {}));
    const { last } = entry;
    if (last && now - last.at < this.options.freshMs) return last;
    const asking = entry.asking ?? this.startAsking(key, entry, now);
    if (last && now - last.at < this.options.staleMs) return last;
    return asking;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  private startAsking(key: string, entry: Entry<V>, at: number): Promise<Dated<V> | undefined> {
    const asking = this.ask(key)
      .then((value) => {
        if (value === undefined) return undefined;
        entry.last = { value, at };
        return entry.last;
      })
      .finally(() => {
        entry.asking = undefined;
      });
    entry.asking = asking;
    return asking;
  }

  /** Keys nobody has asked about for a while go, so that campaigns long finished hold no memory. */
  private prune(now: number): void {
    if (now - this.prunedAt < this.options.staleMs) return;
    this.prunedAt = now;
    for (const [key, entry] of this.entries) {
      if (!entry.asking && (!entry.last || now - entry.last.at >= this.options.staleMs))
        this.entries.delete(key);
    }
  }
}
