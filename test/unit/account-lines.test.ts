import fc from 'fast-check';
import {
  allocateLines,
  applyReport,
  fairShares,
  type LineHolder,
  type LinesReport,
} from '../../src/domain/account-lines';

const report = (campaignId: string, over: Partial<LinesReport> = {}): LinesReport => ({
  campaignId,
  want: 0,
  inUse: 0,
  grantSeq: 0,
  granted: 0,
  ...over,
});

const grantOf = (holders: LineHolder[], id: string) => holders.find((h) => h.campaignId === id)?.granted;

describe('fairShares', () => {
  it('gives each what it wants while the cap allows', () => {
    const shares = fairShares(10, [
      { campaignId: 'a', want: 3 },
      { campaignId: 'b', want: 4 },
    ]);
    expect([...shares]).toEqual([
      ['a', 3],
      ['b', 4],
    ]);
  });

  it('splits the cap evenly, passing on what a small want leaves, the odd line to the earlier', () => {
    const shares = fairShares(10, [
      { campaignId: 'a', want: 50 },
      { campaignId: 'b', want: 2 },
      { campaignId: 'c', want: 50 },
    ]);
    expect([...shares]).toEqual([
      ['a', 4],
      ['b', 2],
      ['c', 4],
    ]);
    expect([
      ...fairShares(5, [
        { campaignId: 'a', want: 9 },
        { campaignId: 'b', want: 9 },
      ]),
    ]).toEqual([
      ['a', 3],
      ['b', 2],
    ]);
  });
});

describe('allocateLines', () => {
  it('grants a lone campaign up to the cap', () => {
    const holders = applyReport([], report('a', { want: 50 }));
    const { holders: next, changed } = allocateLines(10, holders);
    expect(grantOf(next, 'a')).toBe(10);
    expect(changed).toEqual(['a']);
  });

  it('cuts the first campaign for a second one, and grants the second only what the first has given back', () => {
    let holders = allocateLines(10, applyReport([], report('a', { want: 50 }))).holders;
    holders = applyReport(holders, report('a', { want: 50, inUse: 10, grantSeq: 1 }));
    holders = applyReport(holders, report('b', { want: 50 }));
    let step = allocateLines(10, holders);
    expect(grantOf(step.holders, 'a')).toBe(5);
    // a has 10 calls live and has not heard of its cut: nothing is free for b yet.
    expect(grantOf(step.holders, 'b')).toBe(0);
    expect(step.changed).toEqual(['a']);

    // a heard of the cut but still has 8 live: b gets the 2 lines given back.
    holders = applyReport(step.holders, report('a', { want: 50, inUse: 8, grantSeq: 2 }));
    step = allocateLines(10, holders);
    expect(grantOf(step.holders, 'b')).toBe(2);

    holders = applyReport(step.holders, report('a', { want: 50, inUse: 5, grantSeq: 2 }));
    step = allocateLines(10, holders);
    expect(grantOf(step.holders, 'b')).toBe(5);
  });

  it('counts a cut campaign at its old grant until it echoes the cut', () => {
    let holders = allocateLines(10, applyReport([], report('a', { want: 50 }))).holders;
    holders = applyReport(holders, report('b', { want: 50 }));
    // a reports nothing live, but from before it heard of the cut: it may still start up to 10.
    holders = allocateLines(10, holders).holders;
    holders = applyReport(holders, report('a', { want: 50, inUse: 0, grantSeq: 1 }));
    expect(grantOf(allocateLines(10, holders).holders, 'b')).toBe(0);
    holders = applyReport(holders, report('a', { want: 50, inUse: 0, grantSeq: 2 }));
    expect(grantOf(allocateLines(10, holders).holders, 'b')).toBe(5);
  });

  it('drops a campaign that leaves, and gives its lines to the others', () => {
    let holders = allocateLines(4, applyReport([], report('a', { want: 4 }))).holders;
    holders = applyReport(holders, report('b', { want: 4 }));
    holders = allocateLines(4, holders).holders;
    holders = applyReport(holders, report('a', { leave: true, grantSeq: 1, granted: 4 }));
    expect(holders.map((h) => h.campaignId)).toEqual(['b']);
    expect(grantOf(allocateLines(4, holders).holders, 'b')).toBe(4);
  });

  it('gives each campaign what it wants once the cap is taken off', () => {
    let holders = allocateLines(4, applyReport([], report('a', { want: 9 }))).holders;
    holders = applyReport(holders, report('b', { want: 9 }));
    const step = allocateLines(0, allocateLines(4, holders).holders);
    expect([grantOf(step.holders, 'a'), grantOf(step.holders, 'b')]).toEqual([9, 9]);
  });

  it('takes a campaign it does not know at its word, grant and all', () => {
    // The account's workflow was restarted while a campaign held 6 lines with 4 calls live.
    let holders = applyReport([], report('a', { want: 6, inUse: 4, grantSeq: 7, granted: 6 }));
    holders = applyReport(holders, report('b', { want: 50 }));
    const step = allocateLines(10, holders);
    expect(grantOf(step.holders, 'a')).toBe(5);
    expect(grantOf(step.holders, 'b')).toBe(4);
    expect(step.holders.find((h) => h.campaignId === 'a')?.sentSeq).toBe(8);
  });
});

/**
 * Campaigns that start calls up to the grant they have heard of, end calls at random, and report
 * late; the account allocates after every report. Calls live across the account never exceed the
 * cap, and every want is met once the campaigns are heard.
 */
describe('account lines, simulated', () => {
  interface Sim {
    heard: { lines: number; seq: number };
    pending: { lines: number; seq: number }[];
    live: number;
    want: number;
  }

  const step = fc.oneof(
    fc.record({ kind: fc.constant('deliver' as const), c: fc.nat(2) }),
    fc.record({ kind: fc.constant('report' as const), c: fc.nat(2) }),
    fc.record({ kind: fc.constant('start' as const), c: fc.nat(2) }),
    fc.record({ kind: fc.constant('end' as const), c: fc.nat(2), n: fc.nat(5) }),
    fc.record({ kind: fc.constant('want' as const), c: fc.nat(2), n: fc.nat(12) }),
  );

  it('never has more calls live than the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(step, { maxLength: 200 }), (cap, steps) => {
        const ids = ['a', 'b', 'c'];
        const sims: Sim[] = ids.map(() => ({ heard: { lines: 0, seq: 0 }, pending: [], live: 0, want: 6 }));
        let holders: LineHolder[] = [];
        const allocate = () => {
          const out = allocateLines(cap, holders);
          holders = out.holders;
          for (const id of out.changed) {
            const h = holders.find((x) => x.campaignId === id) as LineHolder;
            sims[ids.indexOf(id)]?.pending.push({ lines: h.granted, seq: h.sentSeq });
          }
        };
        const send = (i: number) => {
          const s = sims[i] as Sim;
          holders = applyReport(holders, {
            campaignId: ids[i] as string,
            want: s.want,
            inUse: s.live,
            grantSeq: s.heard.seq,
            granted: s.heard.lines,
          });
          allocate();
        };
        for (const i of [0, 1, 2]) send(i);
        for (const st of steps) {
          const s = sims[st.c] as Sim;
          if (st.kind === 'deliver') {
            const g = s.pending.shift();
            if (g && g.seq > s.heard.seq) s.heard = g;
          } else if (st.kind === 'report') send(st.c);
          else if (st.kind === 'start') s.live = Math.max(s.live, Math.min(s.want, s.heard.lines));
          else if (st.kind === 'end') s.live = Math.max(0, s.live - st.n);
          else s.want = st.n;
          const live = sims.reduce((sum, x) => sum + x.live, 0);
          if (live > cap) return false;
          const ceilings = holders.reduce((sum, h) => sum + h.ceiling, 0);
          if (ceilings > cap) return false;
        }
        // Quiet: every grant delivered and every campaign heard, twice over; then wants are met.
        for (let round = 0; round < 3; round += 1) {
          for (const [i, s] of sims.entries()) {
            for (const g of s.pending.splice(0)) if (g.seq > s.heard.seq) s.heard = g;
            s.live = Math.min(s.live, s.heard.lines);
            send(i);
          }
        }
        const shares = fairShares(
          cap,
          ids.map((id, i) => ({ campaignId: id, want: (sims[i] as Sim).want })),
        );
        return ids.every((id, i) => (sims[i] as Sim).heard.lines === shares.get(id));
      }),
      { numRuns: 500 },
    );
  });
});
