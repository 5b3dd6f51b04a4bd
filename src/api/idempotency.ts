import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Collection, Db } from 'mongodb';
import { accountOf, headerValue } from './auth';

interface IdempotencyRecord {
  /** `${accountId}:${key}` */
  _id: string;
  requestHash: string;
  state: 'in_progress' | 'done';
  status?: number;
  body?: unknown;
  createdAt: Date;
}

/** How long a key is remembered (MongoDB's TTL index removes records after it). */
const RETENTION_S = 24 * 3600;
const MAX_KEY_LENGTH = 255;

export type IdempotencyProblem = 'KEY_TOO_LONG' | 'KEY_REUSED' | 'REQUEST_IN_PROGRESS';

/** Renders an idempotency problem in the dialect's envelope. */
export type RenderProblem = (
  res: Response,
  status: number,
  code: IdempotencyProblem,
  message: string,
) => void;

export class IdempotencyStore {
  readonly records: Collection<IdempotencyRecord>;

  constructor(db: Db) {
    this.records = db.collection<IdempotencyRecord>('idempotency');
  }

  /** A TTL index where the server has them (MongoDB); elsewhere expired records are skipped on read. */
  async ensureIndexes(): Promise<void> {
    try {
      await this.records.createIndex({ createdAt: 1 }, { expireAfterSeconds: RETENTION_S });
    } catch (err) {
      if (!/expireAfterSeconds/.test((err as Error).message)) throw err;
    }
  }

  /** Claims `id` for a new request; a record past its retention counts as absent and is replaced. */
  async claim(id: string, requestHash: string): Promise<boolean> {
    const fresh = { _id: id, requestHash, state: 'in_progress' as const, createdAt: new Date() };
    try {
      await this.records.insertOne(fresh);
      return true;
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
    const expired = await this.records.deleteOne({
      _id: id,
      createdAt: { $lt: new Date(Date.now() - RETENTION_S * 1000) },
    });
    if (expired.deletedCount === 0) return false;
    return this.claim(id, requestHash);
  }
}

function requestHash(req: Request): string {
  return createHash('sha256')
    .update(`${req.method} ${req.baseUrl}${req.path}\n`)
    .update(JSON.stringify(req.body ?? null))
    .digest('hex');
}

/**
 * `Idempotency-Key` on POSTs that create: the first request runs and its answer is kept; a retry
 * with the same key and body gets that answer again and creates nothing; the same key with a
 * different body is refused (422). A key whose first request failed on our side (5xx) is released.
 */
export function idempotent(store: IdempotencyStore, render: RenderProblem) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = headerValue(req, 'idempotency-key');
    if (!key) return next();
    if (key.length > MAX_KEY_LENGTH) {
      return render(res, 400, 'KEY_TOO_LONG', `Idempotency-Key must be at most ${MAX_KEY_LENGTH} characters`);
    }
    const id = `${accountOf(res)._id}:${key}`;
    const hash = requestHash(req);
    if (!(await store.claim(id, hash))) {
      const existing = await store.records.findOne({ _id: id });
      if (existing && existing.requestHash !== hash) {
        return render(res, 422, 'KEY_REUSED', 'This Idempotency-Key was used with a different request');
      }
      if (existing?.state === 'done' && existing.status !== undefined) {
        res.setHeader('Idempotent-Replayed', 'true');
        return res.status(existing.status).json(existing.body);
      }
      return render(
        res,
        409,
        'REQUEST_IN_PROGRESS',
        'A request with this Idempotency-Key is still being processed',
      );
    }
    const send = res.json.bind(res);
    res.json = (body: unknown) => {
      const status = res.statusCode;
      const settle =
        status >= 500
          ? store.records.deleteOne({ _id: id })
          : store.records.updateOne({ _id: id }, { $set: { state: 'done', status, body } });
      settle.then(
        () => send(body),
        () => send(body),
      );
      return res;
    };
    next();
  };
}
