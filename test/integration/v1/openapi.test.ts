import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ApiKeyResolver } from '../../../src/api/auth';
import { v1OpenApiDocument, v1Router } from '../../../src/api/dialects/v1';
import { openApiPath, servedRoutes } from '../../../src/api/v1/route';
import { v1Routes } from '../../../src/api/v1/routes';
import { startEngine, type Engine } from '../../support/engine';

let engine: Engine;

beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => {
  await engine?.stop();
});

/** `SwaggerParser.validate(structuredClone(doc))`, in a plain Node process (see the script for why). */
function validateWithSwaggerParser(doc: unknown): Promise<{ ok: boolean; message?: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--no-warnings', join(__dirname, 'fixtures', 'validate-openapi.cjs')],
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`validator failed: ${err.message}\n${stderr}`));
        resolve(JSON.parse(stdout) as { ok: boolean; message?: string });
      },
    );
    child.stdin?.end(JSON.stringify(doc));
  });
}

const methods = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

/** `METHOD /path` for every operation of the document. */
function documented(doc: ReturnType<typeof v1OpenApiDocument>): string[] {
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    methods
      .filter((m) => (item as Record<string, unknown>)[m] !== undefined)
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const doc = v1OpenApiDocument();
    expect(doc.openapi).toBe('3.1.0');
    expect(await validateWithSwaggerParser(doc)).toEqual({ ok: true });
    // The validator does reject a broken document: here one whose $refs point at a missing schema.
    const broken = structuredClone(doc) as { components: { schemas: Record<string, unknown> } };
    delete broken.components.schemas.Campaign;
    expect(await validateWithSwaggerParser(broken)).toEqual({
      ok: false,
      message: expect.stringMatching(/Campaign/) as unknown,
    });
  });

  it('is served at /openapi.json without an API key, exactly as generated', async () => {
    const res = await fetch(`${engine.apiUrl}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(v1OpenApiDocument())));
  });

  it('lists every /v1 route the router serves, and nothing it does not', () => {
    const router = v1Router({ ctx: engine.ctx, keys: new ApiKeyResolver(engine.accounts) });
    const served = servedRoutes(router)
      .filter((r) => r.path.startsWith('/v1'))
      .map((r) => `${r.method.toUpperCase()} ${openApiPath(r.path)}`);
    const inDocument = documented(v1OpenApiDocument());

    expect(served.length).toBeGreaterThanOrEqual(22);
    expect(new Set(served).size).toBe(served.length);
    expect([...served].sort()).toEqual([...inDocument].sort());
    // The route table is what both come from.
    expect(v1Routes.map((r) => `${r.method.toUpperCase()} ${openApiPath(r.path)}`).sort()).toEqual(
      [...inDocument].sort(),
    );
  });

  it('documents the key, the parameters, the bodies and every answer of each operation', () => {
    const doc = v1OpenApiDocument();
    expect(doc.components?.securitySchemes?.ApiKeyAuth).toEqual(
      expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }),
    );
    for (const route of v1Routes) {
      const op = (doc.paths?.[openApiPath(route.path)] as Record<string, Record<string, unknown>>)[
        route.method
      ];
      const where = `${route.method} ${route.path}`;
      expect({ where, security: op?.security }).toEqual({ where, security: [{ ApiKeyAuth: [] }] });
      const parameters = (op?.parameters ?? []) as { name: string; in: string }[];
      for (const name of route.path.match(/:(\w+)/g)?.map((p) => p.slice(1)) ?? []) {
        expect({ where, params: parameters.filter((p) => p.in === 'path').map((p) => p.name) }).toEqual({
          where,
          params: expect.arrayContaining([name]) as unknown,
        });
      }
      if (route.idempotent) expect(parameters.map((p) => p.name)).toContain('Idempotency-Key');
      if (route.body || route.rawBody || route.multipart) expect(op?.requestBody).toBeDefined();
      const statuses = Object.keys(op?.responses as object);
      expect({ where, statuses }).toEqual({
        where,
        statuses: expect.arrayContaining([String(route.success.status), '400', '401', '500']) as unknown,
      });
      if (route.path.includes(':'))
        expect({ where, statuses }).toEqual({ where, statuses: expect.arrayContaining(['404']) as unknown });
      if (route.idempotent)
        expect({ where, statuses }).toEqual({ where, statuses: expect.arrayContaining(['422']) as unknown });
    }
    const createBody = (
      doc.paths?.['/v1/campaigns']?.post?.requestBody as { content: Record<string, unknown> }
    ).content['application/json'];
    expect(createBody).toEqual({ schema: { $ref: '#/components/schemas/CampaignCreate' } });
    const campaignCreate = doc.components?.schemas?.CampaignCreate as {
      required: string[];
      properties: object;
    };
    expect(campaignCreate.required).toEqual(['name']);
    expect(Object.keys(campaignCreate.properties)).toEqual(
      expect.arrayContaining(['agentId', 'callingHours', 'maxConcurrentCalls', 'redialConfig']),
    );
    expect(doc.paths?.['/v1/dnc/import']?.post?.requestBody).toEqual({
      required: true,
      content: { 'multipart/form-data': { schema: { $ref: '#/components/schemas/DncImport' } } },
    });
  });
});

describe('/docs', () => {
  it('renders Swagger UI, reading /openapi.json, without an API key', async () => {
    const res = await fetch(`${engine.apiUrl}/docs`);
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${engine.apiUrl}/docs/`);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('<div id="swagger-ui"></div>');
    expect(html).toContain('swagger-ui-bundle.js');
    expect(html).toContain('<title>Campaign engine API</title>');

    const init = await fetch(`${engine.apiUrl}/docs/swagger-ui-init.js`);
    expect(init.status).toBe(200);
    expect(await init.text()).toContain('"swaggerUrl": "/openapi.json"');
    const bundle = await fetch(`${engine.apiUrl}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    const css = await fetch(`${engine.apiUrl}/docs/swagger-ui.css`);
    expect(css.status).toBe(200);
  });
});
