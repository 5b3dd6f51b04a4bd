import { appendFileSync, closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CallbackEventName, CallMetadata, CallRequest, CallStatus } from '../dialers/protocol';
import type { CallPlan } from './outcomes';
import { CallTally, TallyMap, type CallCounters } from './stats';

/**
 * The simulated carrier's memory: an append-only JSONL file, one line per event, written
 * synchronously before the carrier answers, so a call it acknowledged survives a kill -9 (the
 * write reaches the kernel; without fsync it does not survive a power cut, which the simulation
 * does not need). Opening the file replays it into the in-memory indexes and counters.
 */
type LedgerEvent =
  | {
      t: 'request';
      at: number;
      callId: string;
      key: string;
      to: string;
      from?: string;
      callbackUrl: string;
      metadata: CallMetadata;
      plan: CallPlan;
    }
  | { t: 'duplicate'; at: number; key: string }
  | { t: 'callback-sent'; at: number; key: string; event: CallbackEventName }
  | { t: 'callback-failed'; at: number; key: string; event: CallbackEventName; reason: string }
  /** A call told (context.simulate.noCallback) to end without any callback. */
  | { t: 'callback-skipped'; at: number; key: string };

/** How the call's completed callback went. */
export type FinalCallback = 'pending' | 'delivered' | 'failed' | 'skipped';

export interface CallRecord {
  readonly callId: string;
  readonly idempotencyKey: string;
  readonly to: string;
  readonly from?: string;
  readonly callbackUrl: string;
  readonly metadata: CallMetadata;
  readonly requestedAtMs: number;
  readonly plan: CallPlan;
  status: CallStatus;
  finalCallback: FinalCallback;
  completedAtMs?: number;
}

/** A call as GET /ledger/calls shows it. */
export interface CallView {
  callId: string;
  idempotencyKey: string;
  to: string;
  campaignId: string;
  contactId: string;
  accountId: string;
  attempt: number;
  requestedAt: string;
  outcome: CallPlan['outcome'];
  optOut: boolean;
  durationS: number;
  status: CallStatus;
  finalCallback: FinalCallback;
  completedAt: string | null;
}

export interface LedgerStats extends CallCounters {
  peakConcurrentByCampaign: Record<string, number>;
  maxCallsPerSecondByCampaign: Record<string, number>;
  peakConcurrentByAccount: Record<string, number>;
}

export interface CampaignStats extends CallCounters {
  campaignId: string;
}

const READ_CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

export class CallLedger {
  private readonly byKey = new Map<string, CallRecord>();
  private readonly byCampaign = new Map<string, CallRecord[]>();
  /** Calls whose completed callback is still owed, in request order. */
  private readonly unfinishedCalls = new Set<CallRecord>();
  private readonly overall = new CallTally();
  private readonly campaigns = new TallyMap();
  private readonly accounts = new TallyMap();
  private fd: number | undefined;

  private constructor(readonly path: string) {}

  /** Opens (creating it if need be) and replays the ledger at `path`. */
  static open(path: string): CallLedger {
    mkdirSync(dirname(path), { recursive: true });
    const ledger = new CallLedger(path);
    const fd = openSync(path, 'a+');
    try {
      ledger.replay(fd);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    ledger.fd = fd;
    return ledger;
  }

  findByKey(idempotencyKey: string): CallRecord | undefined {
    return this.byKey.get(idempotencyKey);
  }

  recordRequest(callId: string, request: CallRequest, plan: CallPlan, atMs: number): CallRecord {
    const { idempotencyKey: key, to, from, callbackUrl, metadata } = request;
    this.append({ t: 'request', at: atMs, callId, key, to, from, callbackUrl, metadata, plan });
    return this.byKey.get(key) as CallRecord;
  }

  recordDuplicate(call: CallRecord, atMs: number): void {
    this.append({ t: 'duplicate', at: atMs, key: call.idempotencyKey });
  }

  recordCallbackSent(call: CallRecord, event: CallbackEventName, atMs: number): void {
    this.append({ t: 'callback-sent', at: atMs, key: call.idempotencyKey, event });
  }

  recordCallbackFailed(call: CallRecord, event: CallbackEventName, reason: string, atMs: number): void {
    this.append({ t: 'callback-failed', at: atMs, key: call.idempotencyKey, event, reason });
  }

  recordCallbackSkipped(call: CallRecord, atMs: number): void {
    this.append({ t: 'callback-skipped', at: atMs, key: call.idempotencyKey });
  }

  /** Calls whose completed callback was neither delivered nor given up: a restart resumes these. */
  unfinished(): CallRecord[] {
    return [...this.unfinishedCalls];
  }

  stats(): LedgerStats {
    return {
      ...this.overall.counters(),
      peakConcurrentByCampaign: this.campaigns.collect((t) => t.peakConcurrent),
      maxCallsPerSecondByCampaign: this.campaigns.collect((t) => t.maxCallsPerSecond),
      peakConcurrentByAccount: this.accounts.collect((t) => t.peakConcurrent),
    };
  }

  campaignStats(campaignId: string): CampaignStats {
    return { campaignId, ...(this.campaigns.find(campaignId) ?? new CallTally()).counters() };
  }

  /** Calls in request order, optionally only one campaign's and/or one number's. */
  calls(filter: { campaignId?: string; to?: string } = {}): CallView[] {
    const source =
      filter.campaignId === undefined ? this.byKey.values() : this.byCampaign.get(filter.campaignId);
    const out: CallView[] = [];
    for (const call of source ?? []) {
      if (filter.to === undefined || call.to === filter.to) out.push(view(call));
    }
    return out;
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private append(event: LedgerEvent): void {
    if (this.fd === undefined) throw new Error(`ledger ${this.path} is closed`);
    // One write per line: a line is either on disk whole or, if the process died mid-write, cut
    // short at the end of the file, where replay drops it.
    appendFileSync(this.fd, `${JSON.stringify(event)}\n`);
    this.apply(event);
  }

  private apply(event: LedgerEvent): void {
    if (event.t === 'request') {
      this.applyRequest(event);
      return;
    }
    const call = this.byKey.get(event.key);
    if (call === undefined) throw new Error(`ledger event ${event.t} for unknown call ${event.key}`);
    const campaign = this.campaigns.get(call.metadata.campaignId);
    switch (event.t) {
      case 'duplicate':
        this.overall.duplicateRefused();
        campaign.duplicateRefused();
        return;
      case 'callback-sent':
        this.overall.callbackDelivered();
        campaign.callbackDelivered();
        this.callbackSettled(call, event.event, 'delivered', event.at);
        return;
      case 'callback-failed':
        this.overall.callbackFailed();
        campaign.callbackFailed();
        this.callbackSettled(call, event.event, 'failed', event.at);
        return;
      case 'callback-skipped':
        this.callbackSettled(call, 'completed', 'skipped', event.at);
        return;
    }
  }

  private applyRequest(event: Extract<LedgerEvent, { t: 'request' }>): void {
    const call: CallRecord = {
      callId: event.callId,
      idempotencyKey: event.key,
      to: event.to,
      from: event.from,
      callbackUrl: event.callbackUrl,
      metadata: event.metadata,
      requestedAtMs: event.at,
      plan: event.plan,
      status: 'queued',
      finalCallback: 'pending',
    };
    this.byKey.set(call.idempotencyKey, call);
    const campaignCalls = this.byCampaign.get(call.metadata.campaignId);
    if (campaignCalls === undefined) this.byCampaign.set(call.metadata.campaignId, [call]);
    else campaignCalls.push(call);
    this.unfinishedCalls.add(call);
    this.overall.callPlaced(event.at);
    this.campaigns.get(call.metadata.campaignId).callPlaced(event.at);
    this.accounts.get(call.metadata.accountId).callPlaced(event.at);
  }

  /** A call stays live until its completed callback is settled one way or another. */
  private callbackSettled(
    call: CallRecord,
    event: CallbackEventName,
    how: FinalCallback,
    atMs: number,
  ): void {
    if (event === 'in_progress') {
      if (call.status === 'queued') call.status = 'in_progress';
      return;
    }
    if (call.status === 'completed') return;
    call.status = 'completed';
    call.finalCallback = how;
    call.completedAtMs = atMs;
    this.unfinishedCalls.delete(call);
    this.overall.callEnded();
    this.campaigns.get(call.metadata.campaignId).callEnded();
    this.accounts.get(call.metadata.accountId).callEnded();
  }

  /**
   * Reads the file in chunks (it can outgrow the largest string V8 allows) and applies each line.
   * A last line without its newline is a write the process died in, before answering anyone: it
   * is cut off, so that the next append starts on a line of its own.
   */
  private replay(fd: number): void {
    const size = fstatSync(fd).size;
    const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    let carry = Buffer.alloc(0);
    let position = 0;
    let lineNo = 0;
    while (position < size) {
      const read = readSync(fd, chunk, 0, Math.min(READ_CHUNK_BYTES, size - position), position);
      if (read === 0) break;
      position += read;
      const data =
        carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      let start = 0;
      for (let end = data.indexOf(NEWLINE); end !== -1; end = data.indexOf(NEWLINE, start)) {
        lineNo++;
        if (end > start) this.applyLine(data.toString('utf8', start, end), lineNo);
        start = end + 1;
      }
      // Copied: the chunk buffer is overwritten by the next read.
      carry = Buffer.from(data.subarray(start));
    }
    if (carry.length > 0) ftruncateSync(fd, position - carry.length);
  }

  private applyLine(line: string, lineNo: number): void {
    let event: LedgerEvent;
    try {
      // Our own file, written by append() above: trusted to hold LedgerEvents.
      event = JSON.parse(line) as LedgerEvent;
    } catch {
      throw new Error(`${this.path}:${lineNo}: unreadable ledger line`);
    }
    this.apply(event);
  }
}

function view(call: CallRecord): CallView {
  const { metadata, plan } = call;
  return {
    callId: call.callId,
    idempotencyKey: call.idempotencyKey,
    to: call.to,
    campaignId: metadata.campaignId,
    contactId: metadata.contactId,
    accountId: metadata.accountId,
    attempt: metadata.attempt,
    requestedAt: new Date(call.requestedAtMs).toISOString(),
    outcome: plan.outcome,
    optOut: plan.optOut,
    durationS: plan.durationS,
    status: call.status,
    finalCallback: call.finalCallback,
    completedAt: call.completedAtMs === undefined ? null : new Date(call.completedAtMs).toISOString(),
  };
}
