import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CallLedger, type CallRecord } from '../../../src/carrier/ledger';
import { planCall } from '../../../src/carrier/outcomes';
import { SlidingWindowMax } from '../../../src/carrier/stats';
import { callRequest, makeTempDir, useCleanup } from './fixtures';

const cleanup = useCleanup();

function openLedger(path: string): CallLedger {
  const ledger = CallLedger.open(path);
  cleanup(() => ledger.close());
  return ledger;
}

let callNo = 0;

function place(
  ledger: CallLedger,
  atMs: number,
  over: { campaignId?: string; accountId?: string; to?: string } = {},
): CallRecord {
  const req = callRequest('http://127.0.0.1:1/webhooks/calls', over);
  const plan = planCall(req.to, req.metadata.attempt, req.idempotencyKey, undefined, 0);
  return ledger.recordRequest(`call-${++callNo}`, req, plan, atMs);
}

describe('SlidingWindowMax', () => {
  it('counts events closer than the window to the newest one', () => {
    const window = new SlidingWindowMax(1000);
    const maxAfter = [0, 100, 500, 999, 1000, 1099, 2098, 2099, 5000].map((at) => {
      window.add(at);
      return window.max;
    });
    // (at - 1000, at]: 1000 pushes 0 out; 1099 holds 100..1099; 2099 holds 1099..2099 only.
    expect(maxAfter).toEqual([1, 2, 3, 4, 4, 5, 5, 5, 5]);
  });

  it('keeps its answer while compacting a long run', () => {
    const window = new SlidingWindowMax(1000);
    for (let i = 0; i < 50_000; i++) window.add(i * 10);
    expect(window.max).toBe(100);
    for (let i = 0; i < 250; i++) window.add(600_000 + i);
    expect(window.max).toBe(250);
  });
});

describe('CallLedger counters', () => {
  it('tracks live calls and the peak per campaign and account', () => {
    const ledger = openLedger(join(makeTempDir(cleanup), 'ledger.jsonl'));
    const a1 = place(ledger, 0, { campaignId: 'A' });
    const a2 = place(ledger, 10, { campaignId: 'A' });
    const b1 = place(ledger, 20, { campaignId: 'B', accountId: 'acc-2' });
    ledger.recordCallbackSent(a1, 'in_progress', 30);
    expect(ledger.stats().liveCalls).toBe(3);
    ledger.recordCallbackSent(a1, 'completed', 40);
    const a3 = place(ledger, 50, { campaignId: 'A' });
    const a4 = place(ledger, 60, { campaignId: 'A' });
    ledger.recordCallbackFailed(a2, 'completed', 'receiver answered 404', 70);
    ledger.recordCallbackSkipped(a3, 80);
    ledger.recordCallbackSent(b1, 'completed', 90);
    ledger.recordDuplicate(a4, 95);

    expect(ledger.stats()).toEqual({
      callsPlaced: 5,
      duplicatesRefused: 1,
      callbacksDelivered: 3,
      callbacksFailed: 1,
      liveCalls: 1,
      peakConcurrent: 4,
      maxCallsPerSecond: 5,
      peakConcurrentByCampaign: { A: 3, B: 1 },
      maxCallsPerSecondByCampaign: { A: 4, B: 1 },
      peakConcurrentByAccount: { 'acc-1': 3, 'acc-2': 1 },
    });
    expect(ledger.campaignStats('A')).toEqual({
      campaignId: 'A',
      callsPlaced: 4,
      duplicatesRefused: 1,
      callbacksDelivered: 2,
      callbacksFailed: 1,
      liveCalls: 1,
      peakConcurrent: 3,
      maxCallsPerSecond: 4,
    });
    expect(ledger.campaignStats('nobody')).toMatchObject({
      campaignId: 'nobody',
      callsPlaced: 0,
      liveCalls: 0,
    });
    expect(ledger.unfinished().map((call) => call.callId)).toEqual([a4.callId]);
  });

  it('finds the largest one-second burst per campaign and overall', () => {
    const ledger = openLedger(join(makeTempDir(cleanup), 'ledger.jsonl'));
    for (const at of [0, 100, 500, 999, 1000]) place(ledger, at, { campaignId: 'A' });
    place(ledger, 1050, { campaignId: 'B' });
    place(ledger, 1099, { campaignId: 'A' });
    place(ledger, 5000, { campaignId: 'A' });
    const stats = ledger.stats();
    expect(stats.maxCallsPerSecondByCampaign).toEqual({ A: 5, B: 1 });
    expect(stats.maxCallsPerSecond).toBe(6);
  });

  it('lists calls per campaign and number, in request order, with ms-precision ISO times', () => {
    const ledger = openLedger(join(makeTempDir(cleanup), 'ledger.jsonl'));
    const first = place(ledger, Date.UTC(2026, 0, 1, 10, 0, 0, 123), { campaignId: 'A', to: '+14155550105' });
    place(ledger, Date.UTC(2026, 0, 1, 10, 0, 1), { campaignId: 'B', to: '+14155550105' });
    place(ledger, Date.UTC(2026, 0, 1, 10, 0, 2), { campaignId: 'A', to: '+14155550101' });
    ledger.recordCallbackSent(first, 'completed', Date.UTC(2026, 0, 1, 10, 0, 3, 4));

    expect(ledger.calls({ campaignId: 'A', to: '+14155550105' })).toEqual([
      {
        callId: first.callId,
        idempotencyKey: first.idempotencyKey,
        to: '+14155550105',
        campaignId: 'A',
        contactId: first.metadata.contactId,
        accountId: 'acc-1',
        attempt: 1,
        requestedAt: '2026-01-01T10:00:00.123Z',
        outcome: 'busy',
        optOut: false,
        durationS: 0,
        status: 'completed',
        finalCallback: 'delivered',
        completedAt: '2026-01-01T10:00:03.004Z',
      },
    ]);
    expect(ledger.calls({ campaignId: 'A' }).map((c) => c.to)).toEqual(['+14155550105', '+14155550101']);
    expect(ledger.calls({ to: '+14155550105' }).map((c) => c.campaignId)).toEqual(['A', 'B']);
    expect(ledger.calls({ campaignId: 'C' })).toEqual([]);
  });
});

describe('CallLedger on disk', () => {
  it('rebuilds dedupe, counters and unfinished calls when reopened', () => {
    const path = join(makeTempDir(cleanup), 'nested', 'dir', 'ledger.jsonl');
    const ledger = CallLedger.open(path);
    const done = place(ledger, 1000, { campaignId: 'A' });
    const halfway = place(ledger, 1100, { campaignId: 'A' });
    const queued = place(ledger, 1200, { campaignId: 'B' });
    ledger.recordCallbackSent(done, 'completed', 1300);
    ledger.recordCallbackSent(halfway, 'in_progress', 1400);
    ledger.recordDuplicate(done, 1500);
    const before = { stats: ledger.stats(), calls: ledger.calls() };
    ledger.close();

    const reopened = openLedger(path);
    expect({ stats: reopened.stats(), calls: reopened.calls() }).toEqual(before);
    expect(reopened.findByKey(done.idempotencyKey)?.callId).toBe(done.callId);
    expect(reopened.unfinished().map((call) => [call.callId, call.status])).toEqual([
      [halfway.callId, 'in_progress'],
      [queued.callId, 'queued'],
    ]);
    expect(reopened.findByKey(queued.idempotencyKey)).toMatchObject({
      callbackUrl: queued.callbackUrl,
      metadata: queued.metadata,
      plan: queued.plan,
      requestedAtMs: 1200,
    });
  });

  it('drops a last line cut short by a crash, and appends cleanly after it', () => {
    const path = join(makeTempDir(cleanup), 'ledger.jsonl');
    const ledger = CallLedger.open(path);
    const kept = place(ledger, 1000);
    ledger.close();
    appendFileSync(path, '{"t":"request","at":2000,"callId":"torn","key":"k');

    const afterCrash = CallLedger.open(path);
    expect(afterCrash.stats().callsPlaced).toBe(1);
    const next = place(afterCrash, 3000);
    afterCrash.close();

    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { callId: string }).callId)).toEqual([
      kept.callId,
      next.callId,
    ]);
    expect(openLedger(path).stats().callsPlaced).toBe(2);
  });

  it('refuses to open a ledger with a damaged line in the middle', () => {
    const path = join(makeTempDir(cleanup), 'ledger.jsonl');
    const ledger = CallLedger.open(path);
    place(ledger, 1000);
    ledger.close();
    const [line] = readFileSync(path, 'utf8').split('\n');
    writeFileSync(path, `not json\n${line}\n`);
    expect(() => CallLedger.open(path)).toThrow(`${path}:1: unreadable ledger line`);
  });

  it('refuses writes once closed', () => {
    const ledger = CallLedger.open(join(makeTempDir(cleanup), 'ledger.jsonl'));
    ledger.close();
    expect(() => place(ledger, 1000)).toThrow(/is closed/);
  });

  it('records and replays 100,000 calls', () => {
    const path = join(makeTempDir(cleanup), 'ledger.jsonl');
    const ledger = CallLedger.open(path);
    const started = Date.now();
    for (let i = 0; i < 100_000; i++) {
      const call = place(ledger, 1_000_000 + i, { campaignId: `c${i % 10}` });
      if (i % 4 !== 0) ledger.recordCallbackSent(call, 'completed', 1_000_000 + i);
    }
    const written = ledger.stats();
    ledger.close();

    const reopened = openLedger(path);
    const elapsedMs = Date.now() - started;
    expect(reopened.stats()).toEqual(written);
    expect(written).toMatchObject({ callsPlaced: 100_000, liveCalls: 25_000, maxCallsPerSecond: 1000 });
    expect(reopened.unfinished()).toHaveLength(25_000);
    // Generous: a rescan per event would take minutes here, O(1) per event takes a few seconds.
    expect(elapsedMs).toBeLessThan(40_000);
  }, 60_000);
});
