import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import express, { type RequestHandler, type Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';
import { hasJsonBody, openApiPath, type AnyRoute } from './v1/route';
import { errorResponseSchema } from './v1/schemas';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

const SECURITY_SCHEME = 'ApiKeyAuth';

const idempotencyHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .max(255)
    .optional()
    .openapi({
      param: {
        description:
          'Makes a retry safe: the same key with the same request replays the first answer and creates nothing; with a different request it is refused (422). Kept 24 hours.',
      },
      example: '7c0f8a1e-2b9d-4c55-9a3e-1f2d3c4b5a69',
    }),
});

/**
 * The error answers a route can give, each with what causes it: those its shape implies (input to
 * validate, a body to parse, an Idempotency-Key) and those it declares (404, 409, 503).
 */
function errorCauses(route: AnyRoute): Map<number, string[]> {
  const causes = new Map<number, string[]>();
  const add = (status: number, cause: string) => causes.set(status, [...(causes.get(status) ?? []), cause]);
  if (route.params || route.query || route.body || route.rawBody || route.multipart) {
    add(400, '`VALIDATION_ERROR`: `issues` name each field and what is wrong with it');
  }
  if (route.method === 'post' && !route.multipart) add(400, '`INVALID_JSON`: the body is not JSON');
  if (route.multipart) add(400, '`INVALID_MULTIPART`: the multipart body is malformed');
  if (route.idempotent) add(400, '`KEY_TOO_LONG`: Idempotency-Key over 255 characters');
  add(401, '`UNAUTHORIZED`: missing or unknown `x-api-key`');
  for (const [status, cause] of Object.entries(route.errors ?? {})) add(Number(status), cause);
  if (route.idempotent) {
    add(409, '`REQUEST_IN_PROGRESS`: a request with this Idempotency-Key is still running');
    add(422, '`KEY_REUSED`: this Idempotency-Key came with a different request');
  }
  if (route.method === 'post') {
    add(413, '`PAYLOAD_TOO_LARGE`: the body is over the size limit');
    add(
      415,
      `\`UNSUPPORTED_MEDIA_TYPE\`: send ${route.multipart ? 'multipart/form-data' : 'application/json'}`,
    );
  }
  add(500, '`INTERNAL_ERROR`');
  return new Map([...causes].sort(([a], [b]) => a - b));
}

function responses(route: AnyRoute): Record<number, ResponseConfig> {
  const success: ResponseConfig = {
    description: route.success.description,
    ...(route.success.schema && { content: { 'application/json': { schema: route.success.schema } } }),
    ...((route.idempotent || route.success.status === 201) && {
      headers: {
        ...(route.success.status === 201 && {
          Location: { description: 'URL of the new resource', schema: { type: 'string' } },
        }),
        ...(route.idempotent && {
          'Idempotent-Replayed': {
            description: '`true` when this is the stored answer to an earlier request with the same key',
            schema: { type: 'string', enum: ['true'] },
          },
        }),
      },
    }),
  };
  const all: Record<number, ResponseConfig> = { [route.success.status]: success };
  for (const [status, causes] of errorCauses(route)) {
    all[status] = {
      description: causes.join('; '),
      content: { 'application/json': { schema: errorResponseSchema } },
    };
  }
  return all;
}

function request(route: AnyRoute): RouteConfig['request'] {
  const body: NonNullable<RouteConfig['request']>['body'] | undefined = route.multipart
    ? { required: true, content: { 'multipart/form-data': { schema: route.multipart.form } } }
    : hasJsonBody(route)
      ? {
          required: true,
          content: { 'application/json': { schema: (route.body ?? route.rawBody) as z.ZodType } },
        }
      : undefined;
  return {
    ...(route.params && { params: route.params }),
    ...(route.query && { query: route.query }),
    ...(route.idempotent && { headers: idempotencyHeaders }),
    ...(body && { body }),
  };
}

/**
 * The OpenAPI 3.1 document of a route table, generated from the zod schemas the routes validate
 * requests with and describe responses by.
 */
export function buildOpenApiDocument(routes: readonly AnyRoute[]): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', SECURITY_SCHEME, {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: "Your account's API key",
  });
  for (const route of routes) {
    const { tag, summary, description } = route;
    registry.registerPath({
      method: route.method,
      path: openApiPath(route.path),
      operationId: route.operationId,
      tags: [tag],
      summary,
      ...(description && { description }),
      security: [{ [SECURITY_SCHEME]: [] }],
      request: request(route),
      responses: responses(route),
    });
  }
  const tags = [...new Set(routes.map((r) => r.tag))].map((name) => ({ name }));
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Campaign engine API',
      version: '1.0.0',
      description:
        'Outbound-call campaigns: create a campaign, upload contacts, start it, follow its calls. Every request needs the `x-api-key` header. Errors answer `{"error": {"code", "message", "issues"?, "details"?}}`; lists answer `{"data": [...], "page": {...}}`; times are ISO 8601 in UTC.',
    },
    tags,
  });
}

/** `/docs` serves its page with relative asset links, which resolve only under `/docs/`. */
const trailingSlash: RequestHandler = (req, res, next) => {
  if (req.originalUrl.split('?')[0] === DOCS_PATH) return res.redirect(301, `${DOCS_PATH}/`);
  next();
};

/** `GET /openapi.json` (the document) and `GET /docs` (Swagger UI reading it); no API key needed. */
export function openApiRouter(document: OpenApiDocument): Router {
  const router = express.Router();
  router.get(OPENAPI_PATH, (_req, res) => {
    res.json(document);
  });
  const options = { swaggerUrl: OPENAPI_PATH, customSiteTitle: document.info.title };
  router.use(
    DOCS_PATH,
    trailingSlash,
    ...swaggerUi.serveFiles(undefined, options),
    swaggerUi.setup(undefined, options),
  );
  return router;
}
