import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response, Router } from 'express';
import multer from 'multer';
import type { z } from 'zod';
import type { Account } from '../../accounts/store';
import type { FieldIssue } from '../../campaigns/errors';
import { accountOf, requireApiKey } from '../auth';
import type { DialectDeps } from '../dialects/deps';
import { jsonBody } from '../http';
import { idempotent } from '../idempotency';
import { ApiError, sendError, toApiError, validationError, zodIssues } from './errors';

export type Method = 'get' | 'post' | 'delete';
export type SuccessStatus = 200 | 201 | 204;
/** Error statuses a route declares on top of those its shape implies (401, 500, 400 for input...). */
export type DeclaredErrorStatus = 404 | 409 | 503;

type ObjectSchema = z.ZodObject;
type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteContext<P, Q, B> {
  deps: DialectDeps;
  account: Account;
  params: P;
  query: Q;
  /** The JSON body validated by `body`, or the multipart text fields. */
  body: B;
  /** The JSON body as received, for a route with `rawBody`. */
  rawBody: unknown;
  /** The uploaded file of a multipart route. */
  file?: Express.Multer.File;
  req: Request;
  res: Response;
}

/**
 * One /v1 route: what the router serves and what the OpenAPI document says, from one definition.
 * The handler returns the response body (nothing for 204); failures are thrown.
 */
export interface RouteSpec<
  P extends ObjectSchema | undefined = undefined,
  Q extends ObjectSchema | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
> {
  operationId: string;
  method: Method;
  /** Express syntax: `/v1/campaigns/:id`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  /** JSON body, validated before the handler runs; for a multipart route, its text fields. */
  body?: B;
  /** JSON body the handler validates itself (e.g. item by item), documented with this schema. */
  rawBody?: z.ZodType;
  /** A multipart/form-data route: the file field and the whole form as documented. */
  multipart?: { fileField: string; form: ObjectSchema };
  /** Takes an `Idempotency-Key` header. */
  idempotent?: boolean;
  success: { status: SuccessStatus; description: string; schema?: z.ZodType };
  /** When each declared error status happens. */
  errors?: Partial<Record<DeclaredErrorStatus, string>>;
  handler(ctx: RouteContext<Parsed<P>, Parsed<Q>, Parsed<B>>): Promise<unknown>;
}

export type AnyRoute = RouteSpec<ObjectSchema | undefined, ObjectSchema | undefined, z.ZodType | undefined>;

/** Keeps each route's types precise while the table holds them all. */
export function defineRoute<
  P extends ObjectSchema | undefined = undefined,
  Q extends ObjectSchema | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(spec: RouteSpec<P, Q, B>): AnyRoute {
  return spec;
}

/** When a route's campaign answers 404. */
export const CAMPAIGN_NOT_FOUND = 'No campaign with this id in your account';

/** `/v1/campaigns/:id` → `/v1/campaigns/{id}` */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]\w*)/g, '{$1}');
}

export function hasJsonBody(route: AnyRoute): boolean {
  return !route.multipart && (route.body !== undefined || route.rawBody !== undefined);
}

/** `2mb` → bytes, as the JSON parser reads BODY_LIMIT (whose format config.ts checks). */
export function limitBytes(limit: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(limit);
  if (!match) throw new Error(`BODY_LIMIT ${limit} is not like 512kb or 2mb`);
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[(match[2] as string).toLowerCase() as 'b' | 'kb' | 'mb'];
  return Number(match[1]) * unit;
}

interface MultipartBody {
  fields: Record<string, unknown>;
  file: { name: string; size: number; sha256: string } | null;
}

/**
 * Parses a multipart form into memory. The body the Idempotency-Key guards then carries the file's
 * digest next to the text fields, so the same key with another file is a different request.
 */
function multipartBody(fileField: string, maxBytes: number): RequestHandler {
  const upload = multer({ limits: { fileSize: maxBytes, files: 1, fields: 20 } }).single(fileField);
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) {
      return next(
        new ApiError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          `Send multipart/form-data with the file in the \`${fileField}\` field`,
        ),
      );
    }
    upload(req, res, (err: unknown) => {
      if (err) {
        const known = toApiError(err);
        return next(
          known ??
            new ApiError(400, 'INVALID_MULTIPART', `Malformed multipart body: ${(err as Error).message}`),
        );
      }
      const file = req.file;
      const body: MultipartBody = {
        fields: { ...(req.body as Record<string, unknown> | undefined) },
        file: file
          ? {
              name: file.originalname,
              size: file.size,
              sha256: createHash('sha256').update(file.buffer).digest('hex'),
            }
          : null,
      };
      req.body = body;
      next();
    });
  };
}

/** A JSON route refuses a body of another media type instead of ignoring it. */
const jsonOnly: RequestHandler = (req, _res, next) => {
  const type = req.headers['content-type'];
  if (type && Number(req.headers['content-length'] ?? 1) > 0 && !req.is('application/json')) {
    return next(new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `Send JSON (application/json), not ${type}`));
  }
  next();
};

function parseInput<S extends ObjectSchema | z.ZodType | undefined>(
  schema: S,
  input: unknown,
  issues: FieldIssue[],
): Parsed<S> {
  if (!schema) return undefined as Parsed<S>;
  if (input === undefined && !(schema as z.ZodType).safeParse(undefined).success) {
    issues.push({ path: '(body)', message: 'is required: send a JSON body' });
    return undefined as Parsed<S>;
  }
  const result = (schema as z.ZodType).safeParse(input);
  if (!result.success) {
    issues.push(...zodIssues(result.error));
    return undefined as Parsed<S>;
  }
  return result.data as Parsed<S>;
}

function handle(route: AnyRoute, deps: DialectDeps): RequestHandler {
  return async (req: Request, res: Response) => {
    const issues: FieldIssue[] = [];
    const params = parseInput(route.params, req.params, issues);
    const query = parseInput(route.query, req.query, issues);
    const input: unknown = route.multipart ? (req.body as MultipartBody).fields : req.body;
    const body = parseInput(route.body, input, issues);
    if (issues.length > 0) throw validationError(issues);
    const result = await route.handler({
      deps,
      account: accountOf(res),
      params,
      query,
      body,
      rawBody: req.body,
      ...(req.file && { file: req.file }),
      req,
      res,
    });
    if (route.success.status === 204) {
      res.status(204).end();
      return;
    }
    res.status(route.success.status).json(result);
  };
}

/** Registers every route on `router`: key check, body parser, Idempotency-Key, validation, handler. */
export function mountRoutes(router: Router, routes: readonly AnyRoute[], deps: DialectDeps): void {
  const auth = requireApiKey(deps.keys, (res, message) =>
    sendError(res, new ApiError(401, 'UNAUTHORIZED', message)),
  );
  const maxBytes = limitBytes(deps.ctx.config.BODY_LIMIT);
  const json = jsonBody(deps.ctx.config.BODY_LIMIT);
  const once = idempotent(deps.ctx.idempotency, (res, status, code, message) =>
    sendError(res, new ApiError(status, code, message)),
  );
  for (const route of routes) {
    const chain: RequestHandler[] = [auth];
    if (route.multipart) chain.push(multipartBody(route.multipart.fileField, maxBytes));
    else if (route.method === 'post') chain.push(jsonOnly, json);
    if (route.idempotent) chain.push(once);
    chain.push(handle(route, deps));
    router[route.method](route.path, ...chain);
  }
}

/** The routes an Express router serves, as `METHOD /path` (what the OpenAPI document must list). */
export function servedRoutes(router: Router): { method: string; path: string }[] {
  const served: { method: string; path: string }[] = [];
  for (const layer of router.stack as { route?: { path: string; methods: Record<string, boolean> } }[]) {
    if (!layer.route) continue;
    for (const [method, on] of Object.entries(layer.route.methods)) {
      if (on && method !== '_all') served.push({ method, path: layer.route.path });
    }
  }
  return served;
}
