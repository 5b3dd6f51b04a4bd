import type { Client } from '@temporalio/client';
import express, { type Router } from 'express';
import type { Db } from 'mongodb';
import { pingMongo } from '../mongo/db';

export interface HealthDeps {
  temporal: Client;
  temporalAddress: string;
  db: Db;
}

const CHECK_TIMEOUT_MS = 2000;

async function probe(
  check: () => Promise<unknown>,
): Promise<{ status: 'up' | 'down'; latencyMs: number; error?: string }> {
  const started = Date.now();
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref(),
      ),
    ]);
    return { status: 'up', latencyMs: Date.now() - started };
  } catch (err) {
    return { status: 'down', latencyMs: Date.now() - started, error: (err as Error).message };
  }
}

/** `GET /healthz`: 200 when Temporal and MongoDB both answer, 503 naming the one that does not. */
export function healthRouter(deps: HealthDeps): Router {
  const router = express.Router();
  router.get('/healthz', async (_req, res) => {
    const [temporal, mongodb] = await Promise.all([
      probe(() => deps.temporal.workflowService.getSystemInfo({})),
      probe(() => pingMongo(deps.db)),
    ]);
    const ok = temporal.status === 'up' && mongodb.status === 'up';
    res.status(ok ? 200 : 503).json({
      status: ok ? 'ok' : 'degraded',
      temporal: { ...temporal, address: deps.temporalAddress },
      mongodb,
    });
  });
  return router;
}
