import { mapLimit } from '../../src/map-limit';

/** Calls the test settles when it chooses, recording how many were in flight at once. */
function controlledCalls() {
  const started: { item: number; settle: (ok: boolean) => void }[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const fn = (item: number) =>
    new Promise<string>((resolve, reject) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      started.push({
        item,
        settle: (ok) => {
          inFlight -= 1;
          if (ok) resolve(`r${item}`);
          else reject(new Error(`item ${item} failed`));
        },
      });
    });
  return { fn, started, mostInFlight: () => mostInFlight };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('mapLimit', () => {
  it('keeps at most `limit` calls in flight and returns results in input order', async () => {
    const calls = controlledCalls();
    const done = mapLimit([0, 1, 2, 3, 4], 2, calls.fn);
    await flush();
    expect(calls.started.map((c) => c.item)).toEqual([0, 1]);
    // Settled out of order: the third item starts in the freed slot, and results keep input order.
    calls.started[1]!.settle(true);
    await flush();
    expect(calls.started.map((c) => c.item)).toEqual([0, 1, 2]);
    calls.started[0]!.settle(true);
    await flush();
    calls.started[2]!.settle(true);
    await flush();
    calls.started[3]!.settle(true);
    await flush();
    calls.started[4]!.settle(true);
    await expect(done).resolves.toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(calls.mostInFlight()).toBe(2);
  });

  it('answers an empty list at once, and a limit above the list starts every item', async () => {
    const calls = controlledCalls();
    await expect(mapLimit([], 4, calls.fn)).resolves.toEqual([]);
    const done = mapLimit([7, 8], 16, calls.fn);
    await flush();
    expect(calls.started.map((c) => c.item)).toEqual([7, 8]);
    calls.started.forEach((c) => c.settle(true));
    await expect(done).resolves.toEqual(['r7', 'r8']);
  });

  it('rejects with the first failure and starts no item after it', async () => {
    const calls = controlledCalls();
    const done = mapLimit([0, 1, 2, 3], 2, calls.fn);
    await flush();
    calls.started[0]!.settle(false);
    await expect(done).rejects.toThrow('item 0 failed');
    calls.started[1]!.settle(true);
    await flush();
    expect(calls.started.map((c) => c.item)).toEqual([0, 1]);
  });
});
