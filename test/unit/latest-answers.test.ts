import { LatestAnswers } from '../../src/campaigns/latest-answers';

/** An asking the test answers when it chooses. */
function deferredAsks() {
  const pending: { key: string; answer: (value: string | undefined) => void }[] = [];
  const ask = (key: string) =>
    new Promise<string | undefined>((resolve) => pending.push({ key, answer: resolve }));
  return { ask, pending };
}

/** Lets every promise already settled run its callbacks. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('LatestAnswers: one asking per key, shared by every caller', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_000_000;
  });
  const fresh = () => {
    const { ask, pending } = deferredAsks();
    return { answers: new LatestAnswers(ask, { freshMs: 250, staleMs: 10_000, now }), pending };
  };
  /** Answers already holding `state 1` for `c1`, asked at the start of the test. */
  const holdingFirstAnswer = async () => {
    const { answers, pending } = fresh();
    const first = answers.get('c1');
    pending[0]!.answer('state 1');
    await first;
    return { answers, pending };
  };

  it('asks once for many callers at once, and gives a fresh answer without asking again', async () => {
    const { answers, pending } = fresh();
    const callers = Array.from({ length: 200 }, () => answers.get('c1'));
    expect(pending).toHaveLength(1);
    pending[0]!.answer('state 1');
    for (const got of await Promise.all(callers)) expect(got).toEqual({ value: 'state 1', at: 1_000_000 });

    clock += 249;
    expect(await answers.get('c1')).toEqual({ value: 'state 1', at: 1_000_000 });
    expect(pending).toHaveLength(1);
  });

  it('gives the last answer at once while a newer one is asked for, and the newer one once it comes', async () => {
    const { answers, pending } = await holdingFirstAnswer();

    clock += 3_000;
    expect(await answers.get('c1')).toEqual({ value: 'state 1', at: 1_000_000 });
    expect(await answers.get('c1')).toEqual({ value: 'state 1', at: 1_000_000 });
    expect(pending).toHaveLength(2);
    pending[1]!.answer('state 2');
    await flush();
    expect(await answers.get('c1')).toEqual({ value: 'state 2', at: 1_003_000 });
  });

  it('makes a caller wait for the asking once the last answer is too old to give', async () => {
    const { answers, pending } = await holdingFirstAnswer();

    clock += 10_000;
    const waiting = answers.get('c1');
    let settled = false;
    void waiting.then(() => (settled = true));
    await flush();
    expect(settled).toBe(false);
    pending[1]!.answer('state 2');
    expect(await waiting).toEqual({ value: 'state 2', at: 1_010_000 });
  });

  it('keeps the last answer when an asking gives none, and asks anew after forget', async () => {
    const { answers, pending } = await holdingFirstAnswer();

    clock += 1_000;
    await answers.get('c1');
    pending[1]!.answer(undefined);
    await flush();
    clock += 1_000;
    expect(await answers.get('c1')).toEqual({ value: 'state 1', at: 1_000_000 });

    // After a change (pause, resume, cancel), the next caller waits for an answer that saw it.
    answers.forget('c1');
    const afterChange = answers.get('c1');
    const asked = pending.length;
    pending[asked - 1]!.answer('paused');
    expect(await afterChange).toEqual({ value: 'paused', at: 1_002_000 });
  });

  it('answers nothing when the first asking gives nothing, and keeps keys apart', async () => {
    const { answers, pending } = fresh();
    const a = answers.get('a');
    const b = answers.get('b');
    expect(pending.map((p) => p.key)).toEqual(['a', 'b']);
    pending[0]!.answer(undefined);
    pending[1]!.answer('b state');
    expect(await a).toBeUndefined();
    expect(await b).toEqual({ value: 'b state', at: 1_000_000 });
  });
});
