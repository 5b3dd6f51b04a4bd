import type { z } from 'zod';
import { v1OpenApiDocument } from '../../../src/api/dialects/v1';
import type { AnyRoute } from '../../../src/api/v1/route';
import { v1Routes } from '../../../src/api/v1/routes';
import { errorResponseSchema } from '../../../src/api/v1/schemas';
import { syntheticNumbers } from '../../../src/phones/synthetic-numbers';

export type ErrorBody = z.output<typeof errorResponseSchema>['error'];

export interface ApiResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  /** A body sent as is (multipart form, malformed JSON...). */
  raw?: RequestBody;
  contentType?: string;
  headers?: Record<string, string>;
  /** Another key for this request; null sends none. */
  key?: string | null;
}

type RequestBody = NonNullable<RequestInit['body']>;
type HttpMethod = 'GET' | 'POST' | 'DELETE';

function routeFor(method: HttpMethod, path: string): AnyRoute | undefined {
  const bare = path.split('?')[0] as string;
  return v1Routes.find(
    (r) =>
      r.method === method.toLowerCase() &&
      new RegExp(`^${r.path.replace(/:[A-Za-z_]\w*/g, '[^/]+')}$`).test(bare),
  );
}

/**
 * A /v1 client that holds the API to its document: every answer must have a status the OpenAPI
 * document lists for the route, and a body matching the route's response schema (or the error
 * schema), else the call throws.
 */
export class V1Client {
  constructor(
    readonly baseUrl: string,
    readonly apiKey: string,
  ) {}

  async send(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...opts.headers };
    const key = opts.key === undefined ? this.apiKey : opts.key;
    if (key !== null) headers['x-api-key'] = key;
    let body: RequestBody | undefined = opts.raw;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    if (opts.contentType) headers['content-type'] = opts.contentType;
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined && { body }),
    });
    const text = await res.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    const route = routeFor(method, path);
    if (route) conform(route, res.status, parsed, `${method} ${path}`);
    return { status: res.status, body: parsed, headers: res.headers };
  }

  /** Expects `status` and returns the body as `schema` reads it. */
  async ok<S extends z.ZodType>(
    schema: S,
    method: HttpMethod,
    path: string,
    opts: RequestOptions = {},
    status = 200,
  ): Promise<z.output<S>> {
    const res = await this.send(method, path, opts);
    expectStatus(res, status, `${method} ${path}`);
    return schema.parse(res.body);
  }

  /** Expects an error answer with `status` and returns its `error`. */
  async fail(method: HttpMethod, path: string, opts: RequestOptions, status: number): Promise<ErrorBody> {
    const res = await this.send(method, path, opts);
    expectStatus(res, status, `${method} ${path}`);
    return errorResponseSchema.parse(res.body).error;
  }
}

export function expectStatus(res: ApiResponse, status: number, what: string): void {
  if (res.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  }
}

function conform(route: AnyRoute, status: number, body: unknown, what: string): void {
  const documented = v1OpenApiDocument().paths?.[route.path.replace(/:([A-Za-z_]\w*)/g, '{$1}')]?.[
    route.method
  ] as { responses: Record<string, unknown> } | undefined;
  if (!documented || !(String(status) in documented.responses)) {
    throw new Error(`${what}: answered ${status}, which the OpenAPI document does not list`);
  }
  const schema = status === route.success.status ? route.success.schema : errorResponseSchema;
  if (!schema) {
    if (body !== undefined) throw new Error(`${what}: ${status} should have no body`);
    return;
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new Error(
      `${what}: the ${status} body does not match its documented schema: ${JSON.stringify(result.error.issues)}\n${JSON.stringify(body)}`,
    );
  }
}

/** Polls `probe` until `done` holds for its answer, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 60_000, intervalMs = 250, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    last = await probe();
  }
  return last;
}

/**
 * Distinct valid US numbers whose last digits are `digits`: the simulated carrier answers 0-3
 * (a number ending 00 also opts out), 4 no answer, 5 busy, 7 failed, 8 voicemail, 9 invalid.
 */
export function numbersEndingIn(digits: number[], seed: number): string[] {
  return syntheticNumbers({ count: digits.length, lastDigit: (i) => digits[i] as number, seed });
}
