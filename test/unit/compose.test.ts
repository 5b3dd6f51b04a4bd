import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix, relative, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { configKeys, loadConfig, type Config } from '../../src/config';

/**
 * docker-compose.yml and the Dockerfile against src/config.ts and package.json: every variable the
 * engine's services get is one the engine reads, with a value it accepts, pointing at services that
 * exist; every command is an npm script that exists.
 *
 * The compose model is the one `docker compose config` resolves when the docker client is here
 * (no engine needed); otherwise the YAML file itself, parsed with its anchors and merge keys and with
 * `${VAR}` substitution done here.
 */

const repoRoot = resolve(__dirname, '../..');
const composePath = join(repoRoot, 'docker-compose.yml');
const dockerfilePath = join(repoRoot, 'Dockerfile');

/** The services built from the Dockerfile, one engine process each. */
const engineServices = ['api', 'worker', 'carrier'] as const;
const temporalServices = ['postgresql', 'temporal-admin-tools', 'temporal', 'temporal-create-namespace'];

/* ------------------------------------------------------------------ the compose model */

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const argv = z.union([z.string(), z.array(z.string()), z.null()]).optional();

/** The part of a compose service this test reads, in the long or the short syntax. */
const rawServiceSchema = z.object({
  image: z.string().optional(),
  build: z
    .union([z.string(), z.object({ context: z.string(), dockerfile: z.string().optional() })])
    .optional(),
  command: argv,
  entrypoint: argv,
  environment: z.union([z.record(z.string(), z.union([scalar, z.null()])), z.array(z.string())]).optional(),
  depends_on: z
    .union([z.array(z.string()), z.record(z.string(), z.object({ condition: z.string().optional() }))])
    .optional(),
  ports: z
    .array(
      z.union([
        z.string(),
        z.number(),
        z.object({ target: z.number(), published: scalar.optional(), host_ip: z.string().optional() }),
      ]),
    )
    .optional(),
  expose: z.array(scalar).optional(),
  volumes: z
    .array(
      z.union([
        z.string(),
        z.object({ type: z.string(), source: z.string().optional(), target: z.string() }),
      ]),
    )
    .optional(),
  healthcheck: z
    .object({ test: z.union([z.string(), z.array(z.string())]).optional(), disable: z.boolean().optional() })
    .optional(),
});
type RawService = z.infer<typeof rawServiceSchema>;

const rawComposeSchema = z.object({
  services: z.record(z.string(), rawServiceSchema),
  volumes: z.record(z.string(), z.unknown()).nullish(),
});

interface Port {
  target: number;
  published?: string;
  hostIp?: string;
}

interface Volume {
  type: string;
  /** Absolute host path for a bind mount, the volume's name for a named volume. */
  source?: string;
  target: string;
}

interface Service {
  name: string;
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  /** Variables with a value. */
  env: Record<string, string>;
  /** Every variable named, with a value or not. */
  envKeys: string[];
  /** Service name → condition. */
  dependsOn: Map<string, string>;
  ports: Port[];
  expose: number[];
  volumes: Volume[];
  healthcheck?: { test?: string[]; disable: boolean };
}

interface ComposeModel {
  resolvedBy: 'docker compose config' | 'the yaml package';
  services: Map<string, Service>;
  volumes: string[];
}

/** Splits a command given as one string the way compose does, honouring quotes. */
function splitWords(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

function toArgv(value: RawService['command']): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? splitWords(value) : value;
}

function toPort(port: NonNullable<RawService['ports']>[number]): Port {
  if (typeof port === 'number') return { target: port };
  if (typeof port === 'string') {
    const parts = port.replace(/\/(tcp|udp)$/, '').split(':');
    return {
      target: Number(parts[parts.length - 1]),
      published: parts.length >= 2 ? parts[parts.length - 2] : undefined,
      hostIp: parts.length >= 3 ? parts.slice(0, -2).join(':') : undefined,
    };
  }
  return {
    target: port.target,
    published: port.published === undefined ? undefined : String(port.published),
    hostIp: port.host_ip,
  };
}

function toVolume(volume: NonNullable<RawService['volumes']>[number]): Volume {
  if (typeof volume !== 'string') {
    const source = volume.type === 'bind' && volume.source ? resolve(repoRoot, volume.source) : volume.source;
    return { type: volume.type, source, target: volume.target };
  }
  const [source, target] = volume.split(':');
  if (target === undefined) return { type: 'volume', target: source ?? '' };
  const bind = /^[./~]/.test(source ?? '');
  return { type: bind ? 'bind' : 'volume', source: bind ? resolve(repoRoot, source ?? '') : source, target };
}

function toService(name: string, raw: RawService): Service {
  const env: Record<string, string> = {};
  const envKeys: string[] = [];
  if (Array.isArray(raw.environment)) {
    for (const entry of raw.environment) {
      const eq = entry.indexOf('=');
      const key = eq < 0 ? entry : entry.slice(0, eq);
      envKeys.push(key);
      if (eq >= 0) env[key] = entry.slice(eq + 1);
    }
  } else {
    for (const [key, value] of Object.entries(raw.environment ?? {})) {
      envKeys.push(key);
      if (value !== null) env[key] = String(value);
    }
  }

  const dependsOn = new Map<string, string>();
  if (Array.isArray(raw.depends_on)) {
    for (const dep of raw.depends_on) dependsOn.set(dep, 'service_started');
  } else {
    for (const [dep, spec] of Object.entries(raw.depends_on ?? {})) {
      dependsOn.set(dep, spec.condition ?? 'service_started');
    }
  }

  const build =
    raw.build === undefined
      ? undefined
      : typeof raw.build === 'string'
        ? { context: resolve(repoRoot, raw.build), dockerfile: 'Dockerfile' }
        : { context: resolve(repoRoot, raw.build.context), dockerfile: raw.build.dockerfile ?? 'Dockerfile' };

  const test = raw.healthcheck?.test;
  return {
    name,
    image: raw.image,
    build,
    command: toArgv(raw.command),
    entrypoint: toArgv(raw.entrypoint),
    env,
    envKeys,
    dependsOn,
    ports: (raw.ports ?? []).map(toPort),
    expose: (raw.expose ?? []).map((p) => Number(String(p).replace(/\/(tcp|udp)$/, ''))),
    volumes: (raw.volumes ?? []).map(toVolume),
    healthcheck: raw.healthcheck && {
      test: typeof test === 'string' ? ['CMD-SHELL', test] : test,
      disable: raw.healthcheck.disable ?? false,
    },
  };
}

const composeText = readFileSync(composePath, 'utf8');

/**
 * The environment compose resolves the file in: this process's, less every variable the file
 * substitutes and every COMPOSE_* setting, so the file's own defaults are what is tested.
 */
function composeEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('COMPOSE_')) delete env[key];
  for (const m of composeText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) delete env[m[1] ?? ''];
  return { ...env, COMPOSE_DISABLE_ENV_FILE: '1', ...overrides };
}

/** Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR:+alt}` and `$$`. */
function interpolate(text: string, env: NodeJS.ProcessEnv): string {
  const pattern = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;
  return text.replace(
    pattern,
    (
      _match: string,
      dollar: string | undefined,
      braced: string | undefined,
      op: string | undefined,
      arg: string | undefined,
      bare: string | undefined,
    ) => {
      if (dollar) return '$';
      const name = braced ?? bare ?? '';
      const value = env[name];
      const set = value !== undefined;
      const filled = set && value !== '';
      switch (op) {
        case ':-':
          return filled ? value : interpolate(arg ?? '', env);
        case '-':
          return set ? value : interpolate(arg ?? '', env);
        case ':?':
        case '?':
          if (op === ':?' ? !filled : !set)
            throw new Error(`${name}: ${arg || 'required variable is missing'}`);
          return value ?? '';
        case ':+':
          return filled ? interpolate(arg ?? '', env) : '';
        case '+':
          return set ? interpolate(arg ?? '', env) : '';
        default:
          return value ?? '';
      }
    },
  );
}

function interpolateTree(node: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((item) => interpolateTree(item, env));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, interpolateTree(value, env)]));
  }
  return node;
}

let dockerComposeChecked: boolean | undefined;

function dockerComposeAvailable(): boolean {
  if (dockerComposeChecked === undefined) {
    const probe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 20_000 });
    dockerComposeChecked = !probe.error && probe.status === 0;
    if (!dockerComposeChecked) {
      const why = probe.error ? probe.error.message : (probe.stderr || probe.stdout).trim();
      console.warn(
        `docker compose is not available here (${why}): checking docker-compose.yml as parsed by the ` +
          'yaml package, with ${VAR} substitution done by the test, instead of the model `docker compose config` resolves.',
      );
    }
  }
  return dockerComposeChecked;
}

function loadCompose(overrides: Record<string, string> = {}): ComposeModel {
  const env = composeEnv(overrides);
  let raw: unknown;
  let resolvedBy: ComposeModel['resolvedBy'];
  if (dockerComposeAvailable()) {
    const run = spawnSync('docker', ['compose', '-f', 'docker-compose.yml', 'config', '--format', 'json'], {
      cwd: repoRoot,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (run.error || run.status !== 0) {
      throw new Error(`docker compose config failed: ${run.error?.message ?? run.stderr}`);
    }
    raw = JSON.parse(run.stdout);
    resolvedBy = 'docker compose config';
  } else {
    raw = interpolateTree(parseYaml(composeText, { merge: true }), env);
    resolvedBy = 'the yaml package';
  }
  const model = rawComposeSchema.parse(raw);
  return {
    resolvedBy,
    services: new Map(Object.entries(model.services).map(([name, svc]) => [name, toService(name, svc)])),
    volumes: Object.keys(model.volumes ?? {}),
  };
}

/* ------------------------------------------------------------------ the Dockerfile */

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions grouped by build stage, continuation lines joined, comments dropped. */
function parseDockerfile(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  let pending = '';
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*#/.test(line)) continue;
    if (/\\\s*$/.test(line)) {
      pending += line.replace(/\\\s*$/, ' ');
      continue;
    }
    const logical = (pending + line).trim();
    pending = '';
    if (!logical) continue;
    const keyword = logical.split(/\s+/)[0] ?? '';
    const instruction = { keyword: keyword.toUpperCase(), args: logical.slice(keyword.length).trim() };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages[stages.length - 1]?.push(instruction);
  }
  return stages;
}

/** Exec form (JSON array) or shell form of CMD / ENTRYPOINT / RUN, as words. */
function instructionArgv(args: string): string[] {
  return args.startsWith('[') ? z.array(z.string()).parse(JSON.parse(args)) : splitWords(args);
}

/** The flags (--from=…, --chown=…) stripped: sources and destination of a COPY. */
function copyOperands(args: string): { sources: string[]; flags: string[] } {
  const words = instructionArgv(args);
  const flags = words.filter((w) => w.startsWith('--'));
  const operands = words.filter((w) => !w.startsWith('--'));
  return { sources: operands.slice(0, -1), flags };
}

/** `npm run <script>` (or `npm start`) → the script's name. */
function npmScriptOf(command: string[] | undefined): string | undefined {
  if (!command || command[0] !== 'npm') return undefined;
  if (command[1] === 'start') return 'start';
  if ((command[1] === 'run' || command[1] === 'run-script') && command[2]) return command[2];
  return undefined;
}

/** Whether .dockerignore keeps a path out of the build context (last matching pattern wins). */
function dockerIgnored(path: string, patterns: string[]): boolean {
  let ignored = false;
  for (const line of patterns) {
    const negate = line.startsWith('!');
    const pattern = (negate ? line.slice(1) : line).trim().replace(/^\/+|\/+$/g, '');
    let body = '';
    for (let i = 0; i < pattern.length; i++) {
      if (pattern.startsWith('**/', i)) {
        body += '(?:.*/)?';
        i += 2;
      } else if (pattern.startsWith('**', i)) {
        body += '.*';
        i += 1;
      } else if (pattern[i] === '*') body += '[^/]*';
      else if (pattern[i] === '?') body += '[^/]';
      else body += (pattern[i] ?? '').replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    // A pattern that matches a folder matches everything in it.
    if (new RegExp(`^${body}(?:/.*)?$`).test(path)) ignored = !negate;
  }
  return ignored;
}

/* ------------------------------------------------------------------ shared facts */

const scripts = z
  .object({ scripts: z.record(z.string(), z.string()) })
  .parse(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'))).scripts;

const dockerfileStages = parseDockerfile(readFileSync(dockerfilePath, 'utf8'));
const finalStage = dockerfileStages[dockerfileStages.length - 1] ?? [];
const lastOf = (keyword: string) => finalStage.filter((i) => i.keyword === keyword).pop();
const imageCmd = (() => {
  const cmd = lastOf('CMD');
  return cmd ? instructionArgv(cmd.args) : undefined;
})();

/** The file an npm script runs: `tsx src/api/main.ts` → src/api/main.ts. */
function entryFileOf(script: string): string | undefined {
  return splitWords(scripts[script] ?? '').find((word) => /\.(ts|js|mjs|cjs)$/.test(word));
}

/** Ports a service listens on: published or exposed ones, and its image's well-known port. */
function listeningPorts(service: Service): number[] {
  const byImage: Record<string, number> = {
    mongo: 27017,
    postgres: 5432,
    'temporalio/server': 7233,
    'temporalio/auto-setup': 7233,
    'temporalio/ui': 8080,
  };
  const repository = service.image?.replace(/:[^/:]+$/, '') ?? '';
  const known = byImage[repository];
  return [...service.ports.map((p) => p.target), ...service.expose, ...(known ? [known] : [])];
}

/* ------------------------------------------------------------------ the tests */

describe('docker-compose.yml', () => {
  let compose: ComposeModel;
  const service = (name: string): Service => {
    const found = compose.services.get(name);
    if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
    return found;
  };
  const engineConfig = (name: string): Config => loadConfig(service(name).env);

  beforeAll(() => {
    compose = loadCompose();
  });

  it('has the Temporal, MongoDB and engine services', () => {
    const names = [...compose.services.keys()];
    expect(names).toEqual(
      expect.arrayContaining([...temporalServices, 'temporal-ui', 'mongo', ...engineServices]),
    );
    expect(service('mongo').image).toMatch(/^mongo:7(\.|$)/);
    expect(service('temporal').image).toMatch(/^temporalio\/(server|auto-setup):/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:/);
  });

  it('pins every image it pulls to a tag other than latest', () => {
    for (const svc of compose.services.values()) {
      if (svc.build) continue;
      expect({ service: svc.name, image: svc.image }).toEqual({
        service: svc.name,
        image: expect.stringMatching(/^[^:]+:(?!latest$)[\w.-]+$/) as unknown,
      });
    }
  });

  it('builds api, worker and carrier from the Dockerfile at the repository root', () => {
    for (const name of engineServices) {
      const build = service(name).build;
      expect({ service: name, build }).toEqual({
        service: name,
        build: { context: repoRoot, dockerfile: 'Dockerfile' },
      });
    }
  });

  it('gives api, worker and carrier only variables that src/config.ts reads', () => {
    const known = new Set<string>(configKeys);
    for (const name of engineServices) {
      const unknown = service(name).envKeys.filter((key) => !known.has(key));
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
      expect(service(name).envKeys.length).toBe(Object.keys(service(name).env).length);
    }
  });

  it('gives them values that loadConfig accepts', () => {
    for (const name of engineServices) {
      expect(() => loadConfig(service(name).env)).not.toThrow();
    }
  });

  it('points TEMPORAL_ADDRESS and MONGODB_URI at the temporal and mongo services, on their ports', () => {
    for (const name of ['api', 'worker']) {
      const config = engineConfig(name);
      expect(config.TEMPORAL_ADDRESS).toBeDefined();
      expect(config.MONGODB_URI).toBeDefined();

      const temporal = new URL(`grpc://${config.TEMPORAL_ADDRESS ?? ''}`);
      expect({ service: name, temporalHost: temporal.hostname }).toEqual({
        service: name,
        temporalHost: 'temporal',
      });
      expect(listeningPorts(service('temporal'))).toContain(Number(temporal.port || 7233));

      const mongo = new URL(config.MONGODB_URI ?? '');
      expect({ service: name, mongoHost: mongo.hostname }).toEqual({ service: name, mongoHost: 'mongo' });
      expect(listeningPorts(service('mongo'))).toContain(Number(mongo.port || 27017));
    }
  });

  it('makes api and worker wait for a healthy temporal and mongo, and for their namespace', () => {
    for (const name of ['api', 'worker']) {
      const deps = Object.fromEntries(service(name).dependsOn);
      expect({ service: name, deps }).toEqual({
        service: name,
        deps: expect.objectContaining({
          temporal: 'service_healthy',
          mongo: 'service_healthy',
          'temporal-create-namespace': 'service_completed_successfully',
        }) as unknown,
      });
      expect(service('temporal-create-namespace').env.DEFAULT_NAMESPACE).toBe(
        engineConfig(name).TEMPORAL_NAMESPACE,
      );
    }
  });

  it('depends only on services that exist, and waits for health only where there is a healthcheck', () => {
    for (const svc of compose.services.values()) {
      for (const [dep, condition] of svc.dependsOn) {
        expect({ service: svc.name, dependsOn: dep, exists: compose.services.has(dep) }).toEqual({
          service: svc.name,
          dependsOn: dep,
          exists: true,
        });
        if (condition !== 'service_healthy') continue;
        const target = service(dep);
        // Services built from the Dockerfile inherit its HEALTHCHECK unless they disable it.
        const checked = target.healthcheck ? !target.healthcheck.disable : Boolean(target.build);
        expect({ service: svc.name, waitsForHealthy: dep, hasHealthcheck: checked }).toEqual({
          service: svc.name,
          waitsForHealthy: dep,
          hasHealthcheck: true,
        });
      }
    }
  });

  it('sends call requests to the carrier and callbacks to the api, which listen beyond localhost', () => {
    const dialer = new URL(engineConfig('worker').DIALER_URL ?? '');
    expect(dialer.hostname).toBe('carrier');
    expect(Number(dialer.port || 80)).toBe(engineConfig('carrier').CARRIER_PORT);

    for (const name of ['api', 'worker']) {
      const publicUrl = new URL(engineConfig(name).PUBLIC_URL ?? '');
      expect({ service: name, publicHost: publicUrl.hostname }).toEqual({ service: name, publicHost: 'api' });
      expect(Number(publicUrl.port || 80)).toBe(engineConfig('api').PORT);
    }

    expect(engineConfig('api').HOST).toBe('0.0.0.0');
    expect(engineConfig('carrier').HOST).toBe('0.0.0.0');
  });

  it('shares one WEBHOOK_SECRET among api, worker and carrier', () => {
    const secrets = engineServices.map((name) => service(name).env.WEBHOOK_SECRET);
    expect(secrets[0]).toBeDefined();
    expect(new Set(secrets).size).toBe(1);
    expect((secrets[0] ?? '').length).toBeGreaterThanOrEqual(32);
  });

  it('takes WEBHOOK_SECRET from the environment when it is set', () => {
    const secret = 'secret-from-the-environment-0123456789';
    const withSecret = loadCompose({ WEBHOOK_SECRET: secret });
    for (const name of engineServices) {
      expect({ service: name, secret: withSecret.services.get(name)?.env.WEBHOOK_SECRET }).toEqual({
        service: name,
        secret,
      });
    }
  });

  it('publishes the API on 3000, the Temporal UI on 8080 and Temporal on 7233', () => {
    const published = (name: string) => service(name).ports.map((p) => `${p.published ?? ''}->${p.target}`);
    expect(published('api')).toContain(`3000->${engineConfig('api').PORT}`);
    expect(published('temporal-ui')).toContain('8080->8080');
    expect(published('temporal')).toContain('7233->7233');
  });

  it('mounts repository paths that exist, and named volumes it declares', () => {
    for (const svc of compose.services.values()) {
      for (const volume of svc.volumes) {
        if (volume.type === 'bind' && volume.source) {
          expect({ service: svc.name, mount: volume.source, exists: existsSync(volume.source) }).toEqual({
            service: svc.name,
            mount: volume.source,
            exists: true,
          });
        } else if (volume.type === 'volume' && volume.source) {
          expect(compose.volumes).toContain(volume.source);
        }
      }
    }
  });

  it("mounts the Temporal server's dynamic config file", () => {
    const temporal = service('temporal');
    const configPath = temporal.env.DYNAMIC_CONFIG_FILE_PATH;
    expect(configPath).toBeDefined();
    // The server resolves a relative path against its home, /etc/temporal.
    const inContainer = posix.resolve('/etc/temporal', configPath ?? '');
    const mount = temporal.volumes.find(
      (v) => v.type === 'bind' && v.source && inContainer.startsWith(`${v.target}/`),
    );
    expect(mount).toBeDefined();
    const onHost = join(mount?.source ?? '', posix.relative(mount?.target ?? '', inContainer));
    expect(relative(repoRoot, onHost).split(sep)[0]).toBe('docker');
    expect(parseYaml(readFileSync(onHost, 'utf8'))).toEqual(expect.any(Object));
  });

  it('runs an existing npm script in every service built from the Dockerfile', () => {
    for (const svc of compose.services.values()) {
      if (!svc.build) continue;
      expect({ service: svc.name, entrypoint: svc.entrypoint ?? [] }).toEqual({
        service: svc.name,
        entrypoint: [],
      });
      const script = npmScriptOf(svc.command ?? imageCmd);
      expect({ service: svc.name, script, exists: script !== undefined && script in scripts }).toEqual({
        service: svc.name,
        script,
        exists: true,
      });
    }
    expect(npmScriptOf(service('api').command ?? imageCmd)).toBe('api');
    expect(npmScriptOf(service('worker').command)).toBe('worker');
    expect(npmScriptOf(service('carrier').command)).toBe('carrier');
  });

  it("replaces the image's api health probe in services that run something else", () => {
    const imageScript = npmScriptOf(imageCmd);
    for (const svc of compose.services.values()) {
      if (!svc.build || npmScriptOf(svc.command ?? imageCmd) === imageScript) continue;
      expect({ service: svc.name, ownHealthcheck: svc.healthcheck !== undefined }).toEqual({
        service: svc.name,
        ownHealthcheck: true,
      });
    }
  });

  it('was resolved by docker compose, or by the yaml package when docker is missing', () => {
    expect(compose.resolvedBy).toBe(dockerComposeAvailable() ? 'docker compose config' : 'the yaml package');
  });
});

describe('Dockerfile', () => {
  const dockerignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

  it('builds on node:20-bookworm-slim', () => {
    const stageNames = new Set<string>();
    for (const stage of dockerfileStages) {
      const [image = '', as, name] = splitWords(stage[0]?.args ?? '');
      if (!stageNames.has(image)) expect(image).toBe('node:20-bookworm-slim');
      if (as?.toUpperCase() === 'AS' && name) stageNames.add(name);
    }
    expect(dockerfileStages.length).toBeGreaterThan(0);
  });

  it('installs production dependencies only, with npm ci', () => {
    const installs = dockerfileStages
      .flat()
      .filter((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args))
      .map((i) => i.args);
    expect(installs).toEqual([expect.stringContaining('--omit=dev')]);
  });

  it('runs an existing npm script by default, as the node user, with no entrypoint', () => {
    const script = npmScriptOf(imageCmd);
    expect(script).toBe('api');
    expect(Object.keys(scripts)).toContain(script);
    expect(lastOf('USER')?.args).toBe('node');
    expect(lastOf('ENTRYPOINT')).toBeUndefined();
  });

  it('runs npm scripts through bash, so that docker stop reaches the process', () => {
    // sh would stay between npm and tsx and swallow the SIGTERM npm forwards; bash execs tsx.
    const env = finalStage.filter((i) => i.keyword === 'ENV').flatMap((i) => splitWords(i.args));
    expect(env).toContain('NPM_CONFIG_SCRIPT_SHELL=/bin/bash');
  });

  it('copies what the api, worker and carrier scripts run, and the build context keeps it', () => {
    const copied = finalStage
      .filter((i) => i.keyword === 'COPY')
      .map((i) => copyOperands(i.args))
      .filter(({ flags }) => !flags.some((f) => f.startsWith('--from')))
      .flatMap(({ sources }) => sources.map((s) => s.replace(/^\.\//, '').replace(/\/$/, '')));
    expect(copied).toEqual(
      expect.arrayContaining([
        'package.json',
        'package-lock.json',
        'tsconfig.json',
        'src',
        'workflows',
        'activities',
      ]),
    );

    for (const name of engineServices) {
      const entry = entryFileOf(name);
      expect({ script: name, entry }).toEqual({ script: name, entry: expect.any(String) as unknown });
      const top = (entry ?? '').split('/')[0];
      expect({ script: name, entry, copied: copied.includes(top ?? '') }).toEqual({
        script: name,
        entry,
        copied: true,
      });
      expect({ entry, ignored: dockerIgnored(entry ?? '', dockerignore) }).toEqual({ entry, ignored: false });
    }
    for (const kept of ['package.json', 'package-lock.json', 'tsconfig.json', 'src/config.ts']) {
      expect({ path: kept, ignored: dockerIgnored(kept, dockerignore) }).toEqual({
        path: kept,
        ignored: false,
      });
    }
  });

  it('keeps node_modules, .git, local data and .env files out of the build context', () => {
    for (const path of ['node_modules/zod/package.json', '.git/HEAD', '.env', '.data/x', '.cache/x']) {
      expect({ path, ignored: dockerIgnored(path, dockerignore) }).toEqual({ path, ignored: true });
    }
  });

  it('probes the api on /healthz', () => {
    expect(lastOf('HEALTHCHECK')?.args).toContain('/healthz');
  });
});
