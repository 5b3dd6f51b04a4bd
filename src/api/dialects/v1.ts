import express, { type Router } from 'express';
import { buildOpenApiDocument, openApiRouter, type OpenApiDocument } from '../openapi';
import { ApiError, sendError, v1ErrorHandler } from '../v1/errors';
import { mountRoutes } from '../v1/route';
import { v1Routes } from '../v1/routes';
import type { DialectDeps } from './deps';

let document: OpenApiDocument | undefined;

/** The OpenAPI document of the /v1 API (generated once, on first use). */
export function v1OpenApiDocument(): OpenApiDocument {
  document ??= buildOpenApiDocument(v1Routes);
  return document;
}

/**
 * The engine's own resource API under /v1, its OpenAPI document at /openapi.json and the rendered
 * docs at /docs. Route definitions live in src/api/v1/.
 */
export function v1Router(deps: DialectDeps): Router {
  const router = express.Router();
  router.use(openApiRouter(v1OpenApiDocument()));
  mountRoutes(router, v1Routes, deps);
  router.use('/v1', (req, res) => {
    sendError(
      res,
      new ApiError(404, 'NOT_FOUND', `No route for ${req.method} ${req.originalUrl.split('?')[0]}`),
    );
  });
  router.use('/v1', v1ErrorHandler(deps.ctx.log.child({ component: 'api-v1' })));
  return router;
}
