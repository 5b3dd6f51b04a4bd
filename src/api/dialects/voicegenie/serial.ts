/**
 * Runs tasks one at a time per key, in arrival order, within this process.
 *
 * Why the dialect has it: `CampaignStore.transition` relies on `findOneAndUpdate` with a status
 * condition being atomic. On MongoDB it is; on FerretDB v1 (SQLite backend), our local server, it
 * is not: 50 concurrent starts of one campaign measured 1 to 46 "winners". Serialising life-cycle
 * requests per campaign here makes concurrent starts through one API process exact again. It does
 * not help across API processes: the store's transition needs a FerretDB-proof compare-and-set for
 * that (see the hand-off notes).
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
