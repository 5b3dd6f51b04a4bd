import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { EngineContext } from '../runtime/context';
import { ApiKeyResolver } from './auth';
import { koreRouter } from './dialects/kore';
import { v1Router } from './dialects/v1';
import { voicegenieRouter } from './dialects/voicegenie';
import { voltmxRouter } from './dialects/voltmx';
import { healthRouter } from './health';
import { webhookRouter } from './webhooks';

/** The HTTP API: health, the call-status webhook, and every dialect, each with its own envelope. */
export function createApp(ctx: EngineContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(healthRouter({ temporal: ctx.temporal, temporalAddress: ctx.temporalAddress, db: ctx.mongo.db }));
  app.use(
    webhookRouter({
      secret: ctx.config.WEBHOOK_SECRET,
      store: ctx.store,
      temporal: ctx.temporal,
      log: ctx.log.child({ component: 'webhook' }),
    }),
  );
  const deps = { ctx, keys: new ApiKeyResolver(ctx.accounts) };
  app.use(voicegenieRouter(deps));
  app.use(koreRouter(deps));
  app.use(voltmxRouter(deps));
  app.use(v1Router(deps));
  app.use((req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: `No route for ${req.method} ${req.path}` } });
  });
  const lastResort: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    ctx.log.error({ err, method: req.method, path: req.path }, 'unhandled error');
    if (res.headersSent) return;
    res.status(500).json({ error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' } });
  };
  app.use(lastResort);
  return app;
}

export interface RunningApi {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startApi(ctx: EngineContext): Promise<RunningApi> {
  const app = createApp(ctx);
  const server = app.listen(ctx.config.PORT, ctx.config.HOST);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
