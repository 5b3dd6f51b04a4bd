import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { generateApiKey } from '../src/accounts/keys';
import { loadConfig } from '../src/config';
import {
  ensureMongo,
  ensureTemporal,
  startLocalInfra,
  startOnFreshPorts,
  type MongoEndpoint,
  type TemporalEndpoint,
} from '../src/dev/infra';
import { freePort, spawnSupervised, waitForPort, type Supervised } from '../src/dev/processes';
import { createLogger } from '../src/log';
import { onShutdown } from '../src/runtime/shutdown';
import { createContext, type EngineContext } from '../src/runtime/context';
import { workflowBundling } from '../src/worker/worker';

const root = resolve(__dirname, '..');
const SECRET = 'bench-webhook-secret-0123456789';

export interface StackOptions {
  /** The simulated carrier's answer delay (SIM_CALL_MS). */
  simCallMs: number;
  /** Extra environment for the worker processes (e.g. DIALER_MAX_CPS). */
  workerEnv?: Record<string, string>;
  log: (line: string) => void;
}

/**
 * The engine as it runs in production, on one machine: a Temporal dev server and a MongoDB-wire
 * server (found or installed, like `npm run dev`), and `npm run carrier`, `npm run api` and
 * `npm run worker` as processes of their own, so each can be measured, killed and restarted.
 */
export class Stack {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'campaign-engine-bench-'));
  temporal!: TemporalEndpoint;
  mongo!: MongoEndpoint;
  ctx!: EngineContext;
  apiUrl = '';
  carrierUrl = '';
  apiKey = '';
  accountId = 'bench';
  /** The secret the engine signs and checks provider callbacks with. */
  readonly webhookSecret = SECRET;
  api?: Supervised;
  carrier?: Supervised;
  readonly workers: Supervised[] = [];
  private ports = { temporal: 0, ui: 0, temporalMetrics: 0, mongo: 0, api: 0, carrier: 0 };
  private bundlePath = '';
  private workerSeq = 0;
  private stopping?: Promise<void>;
  private readonly logger = createLogger('warn', 'bench');

  constructor(private readonly options: StackOptions) {}

  private get infraOptions() {
    return {
      dataDir: this.dataDir,
      cacheDir: resolve(root, process.env.CACHE_DIR ?? '.cache'),
      namespace: 'default',
      log: (line: string) => this.options.log(`[infra] ${line}`),
      // The bench brings up servers of its own even where the shell points at others.
      env: { ...process.env, TEMPORAL_ADDRESS: '', MONGODB_URI: '' },
    };
  }

  async start(): Promise<void> {
    // Told to stop (Ctrl-C, `kill`, `timeout`), the bench stops what it started, keeping its data
    // for a look, and exits (a second signal exits at once). Left to the SDK's runtime (installed
    // for the baseline's in-process worker), a signal went to it alone: a killed scale run ran on
    // with its servers, a killed latency run ended with status 0.
    void onShutdown(this.logger).then((signal) => {
      this.options.log(`${signal}: stopping the servers and the engine's processes`);
      return this.stop({ keepData: true }).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
    await startOnFreshPorts(
      async () => ({
        temporal: await freePort(),
        ui: await freePort(),
        temporalMetrics: await freePort(),
        mongo: await freePort(),
        api: await freePort(),
        carrier: await freePort(),
      }),
      async (ports) => {
        this.ports = ports;
        const infra = await startLocalInfra({
          ...this.infraOptions,
          temporalPort: ports.temporal,
          uiPort: ports.ui,
          metricsPort: ports.temporalMetrics,
          mongoPort: ports.mongo,
        });
        this.temporal = infra.temporal;
        this.mongo = infra.mongo;
      },
      this.infraOptions.log,
    );
    const bundle = await bundleWorkflowCode({ ...workflowBundling, logger: quiet });
    this.bundlePath = join(this.dataDir, 'workflow-bundle.js');
    writeFileSync(this.bundlePath, bundle.code);

    const config = loadConfig(this.env());
    this.ctx = await createContext(config, this.logger, {
      temporalAddress: this.temporal.address,
      mongoUri: this.mongo.uri,
    });
    await this.ctx.accounts.upsertAccount({ id: this.accountId, name: 'Benchmark account' });
    this.apiKey = generateApiKey();
    await this.ctx.accounts.addApiKey(this.accountId, this.apiKey, 'bench');

    this.carrierUrl = `http://127.0.0.1:${this.ports.carrier}`;
    this.apiUrl = `http://127.0.0.1:${this.ports.api}`;
    this.carrier = this.spawn('carrier', 'src/carrier/main.ts', {});
    this.api = this.spawn('api', 'src/api/main.ts', {});
    await Promise.all([
      waitForPort('127.0.0.1', this.ports.carrier, { timeoutMs: 60_000, process: this.carrier }),
      waitForPort('127.0.0.1', this.ports.api, { timeoutMs: 60_000, process: this.api }),
    ]);
    await this.startWorker();
  }

  async startTemporal(): Promise<void> {
    this.temporal = await ensureTemporal({
      ...this.infraOptions,
      port: this.ports.temporal,
      uiPort: this.ports.ui,
      metricsPort: this.ports.temporalMetrics,
    });
  }

  async startMongo(): Promise<void> {
    this.mongo = await ensureMongo({ ...this.infraOptions, port: this.ports.mongo });
  }

  /**
   * Stops the Temporal server the way an operator's restart does (SIGTERM, SIGKILL after 10 s);
   * startTemporal() brings it back on the same ports and database file.
   */
  async stopTemporal(): Promise<void> {
    await this.temporal.stop();
  }

  /**
   * Stops the MongoDB-wire server (SIGTERM, SIGKILL after 10 s); startMongo() brings it back on the
   * same port and data directory.
   */
  async stopMongo(): Promise<void> {
    await this.mongo.stop();
  }

  /** The environment every engine process gets, as an operator would set it. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      TEMPORAL_ADDRESS: this.temporal.address,
      MONGODB_URI: this.mongo.uri,
      MONGODB_DB: 'campaign_engine_bench',
      WORKFLOW_BUNDLE_PATH: this.bundlePath,
      WEBHOOK_SECRET: SECRET,
      PORT: String(this.ports.api),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${this.ports.api}`,
      CARRIER_PORT: String(this.ports.carrier),
      CARRIER_LEDGER: join(this.dataDir, 'ledger.jsonl'),
      SIM_CALL_MS: String(this.options.simCallMs),
      DATA_DIR: this.dataDir,
      LOG_LEVEL: 'warn',
      ...extra,
    };
  }

  private spawn(name: string, entry: string, extra: Record<string, string>): Supervised {
    // BENCH_CPU_PROFILE_DIR: every engine process writes a V8 CPU profile there when it stops.
    const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
    const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profileDir)}`] : [];
    return spawnSupervised(name, process.execPath, [...profile, '--import', 'tsx', join(root, entry)], {
      cwd: root,
      env: this.env(extra),
      logFile: join(this.dataDir, 'logs', `${name}.log`),
    });
  }

  /** Starts one more `npm run worker` and waits until it polls. */
  async startWorker(extra: Record<string, string> = {}): Promise<Supervised> {
    this.workerSeq += 1;
    const worker = this.spawn(`worker-${this.workerSeq}`, 'src/worker/main.ts', {
      ...this.options.workerEnv,
      ...extra,
    });
    this.workers.push(worker);
    await this.waitForPoller(worker);
    return worker;
  }

  /** A worker is ready when the server sees it polling the workflow task queue. */
  private async waitForPoller(worker: Supervised): Promise<void> {
    const identity = `${worker.child.pid}@${hostname()}`;
    const deadline = Date.now() + 90_000;
    let exited = false;
    void worker.exited.then(() => (exited = true));
    for (;;) {
      const answer = await this.ctx.temporal.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: this.ctx.config.TEMPORAL_TASK_QUEUE },
      });
      if (answer.pollers.some((p) => p.identity === identity)) return;
      if (exited) throw new Error(`${worker.name} exited before it polled; see ${worker.logFile}`);
      if (Date.now() > deadline)
        throw new Error(`${worker.name} did not poll within 90 s; see ${worker.logFile}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Kills a worker at once, as a crash would. */
  async killWorker(worker: Supervised): Promise<void> {
    worker.child.kill('SIGKILL');
    await worker.exited;
    this.workers.splice(this.workers.indexOf(worker), 1);
  }

  /** Stops everything, once; the data directory (databases, ledger, logs) stays only when asked to. */
  stop({ keepData }: { keepData: boolean }): Promise<void> {
    this.stopping ??= (async () => {
      for (const p of [...this.workers, this.api, this.carrier]) await p?.stop();
      await this.ctx?.close();
      await Promise.all([this.temporal?.stop(), this.mongo?.stop()]);
      if (keepData) this.options.log(`data, logs and ledger kept in ${this.dataDir}`);
      else rmSync(this.dataDir, { recursive: true, force: true });
    })();
    return this.stopping;
  }
}

/** Resident set of a process now (Linux), in MiB. */
export function rssMiB(pid: number | undefined): number | undefined {
  return procStatusMiB(pid, 'VmRSS');
}

/** Peak resident set of a process so far (Linux), in MiB. */
export function peakRssMiB(pid: number | undefined): number | undefined {
  return procStatusMiB(pid, 'VmHWM');
}

function procStatusMiB(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number | undefined {
  if (!pid) return undefined;
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

const ignore = () => undefined;
const quiet = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

/** Starts a process's peak-RSS count afresh (Linux), so a figure covers one scenario only. */
export function resetPeakRss(pid: number | undefined): void {
  if (!pid) return;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not Linux, or not allowed: the peak then covers the process's whole life.
  }
}
