import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongodb';
import {
  WindowClosedError,
  windowClosed,
  type Dialer,
  type PlaceCallOptions,
  type PlaceCallRequest,
  type PlaceCallResult,
} from './types';

export interface PaceDoc {
  _id: string;
  /** Bumped by every taker, so a stale read never wins the compare-and-set. */
  version: number;
  /** The last `callsPerSecond` requests, oldest first: when each ended, or that it is in flight. */
  sent: Turn[];
}

interface Turn {
  id: string;
  /** When the request ended (epoch ms); absent while it is in flight. */
  endedAt?: number;
}

const WINDOW_MS = 1000;
/** How often a waiter looks again while the turn it waits behind is still in flight. */
const IN_FLIGHT_POLL_MS = 20;

/**
 * A sliding-window limit shared through MongoDB by every worker of one dialer: a request goes out
 * only a full second after the request `callsPerSecond` turns back has ended. The provider receives
 * each request between its start and its end, so however slow the network, no second at the
 * provider holds more than `callsPerSecond` of them. (The task queue's own rate limit, a token
 * bucket, bounds the rate over time but lets a full bucket out at once: twice the cap in a second.)
 */
export class CallPacer {
  constructor(
    private readonly pace: Collection<PaceDoc>,
    private readonly key: string,
    private readonly callsPerSecond: number,
  ) {}

  /** Waits for a turn and takes it (compare-and-set, so two workers never take the same one). */
  async take(): Promise<string> {
    const id = randomUUID();
    for (;;) {
      const doc = await this.pace.findOne({ _id: this.key });
      const sent = doc?.sent ?? [];
      const now = Date.now();
      const back = sent.length >= this.callsPerSecond ? sent[sent.length - this.callsPerSecond] : undefined;
      const freeAt =
        back === undefined
          ? now
          : back.endedAt === undefined
            ? now + IN_FLIGHT_POLL_MS
            : back.endedAt + WINDOW_MS;
      if (freeAt > now) {
        await new Promise((resolve) => setTimeout(resolve, freeAt - now));
        continue;
      }
      if (await this.write(doc, [...sent, { id }].slice(-this.callsPerSecond))) return id;
    }
  }

  /** Marks a turn's request as ended, which starts its second. */
  async release(id: string): Promise<void> {
    for (;;) {
      const doc = await this.pace.findOne({ _id: this.key });
      if (!doc?.sent.some((turn) => turn.id === id)) return;
      const endedAt = Date.now();
      const sent = doc.sent.map((turn) => (turn.id === id ? { id, endedAt } : turn));
      if (await this.write(doc, sent)) return;
    }
  }

  private async write(doc: PaceDoc | null, sent: Turn[]): Promise<boolean> {
    if (!doc) {
      return this.pace.insertOne({ _id: this.key, version: 1, sent }).then(
        () => true,
        (err: { code?: number }) => {
          if (err.code === 11000) return false;
          throw err;
        },
      );
    }
    const written = await this.pace.updateOne(
      { _id: this.key, version: doc.version },
      { $set: { sent, version: doc.version + 1 } },
    );
    return written.modifiedCount === 1;
  }
}

/** A dialer whose call requests go out no faster than its pacer allows. */
export class PacedDialer implements Dialer {
  readonly name: string;

  constructor(
    private readonly inner: Dialer,
    private readonly pacer: CallPacer,
  ) {
    this.name = inner.name;
  }

  async placeCall(req: PlaceCallRequest, options: PlaceCallOptions = {}): Promise<PlaceCallResult> {
    const turn = await this.pacer.take();
    try {
      // Under a busy cap the turn can come after the callee's window has closed.
      const { notAfter } = options;
      if (notAfter !== undefined && windowClosed(notAfter)) throw new WindowClosedError(notAfter);
      return await this.inner.placeCall(req, options);
    } finally {
      await this.pacer.release(turn);
    }
  }
}
