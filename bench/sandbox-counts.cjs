// Counts what the Temporal worker's workflow threads do, for BENCHMARKS.md (throughput): calls into
// the workflow sandbox by the function called (`activate` is one per activation), workflows started
// in the sandbox by type (more starts than runs means the worker replayed a run), promises made by
// workflow code, and the time spent in the SDK's promise hook, which captures a source-mapped stack
// trace for each of them (what the Web UI's stack trace shows). Each call into the sandbox carries
// the worker's execution timeout, for which Node starts and joins a thread (bench/sandbox-call.ts).
// A preload, so that the engine runs unchanged:
//
//   SANDBOX_COUNTS_DIR=/tmp/counts NODE_OPTIONS="--require $PWD/bench/sandbox-counts.cjs" \
//     npm run bench -- --only throughput --contacts 2000
//
// Each workflow thread writes <pid>-<thread>.json there every 2 s; divide by the contacts run.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
const { isMainThread, threadId } = require('node:worker_threads');

const dir = process.env.SANDBOX_COUNTS_DIR;

if (dir && !isMainThread) {
  const counts = { sandboxCalls: 0, calls: {}, starts: {}, workflowPromises: 0, promiseHookMs: 0 };
  let hookNs = 0n;

  const runInContext = vm.Script.prototype.runInContext;
  vm.Script.prototype.runInContext = function (context, options) {
    if (options?.timeout !== undefined) {
      counts.sandboxCalls += 1;
      // The worker names the function it calls, and its arguments, in the context before each call.
      const [, fn, args] = context.__temporal_args ?? [];
      counts.calls[fn] = (counts.calls[fn] ?? 0) + 1;
      if (fn === 'initialize') {
        const type = args?.[0]?.workflowType ?? 'unknown';
        counts.starts[type] = (counts.starts[type] ?? 0) + 1;
      }
    }
    return runInContext.call(this, context, options);
  };

  const createHook = v8.promiseHooks.createHook;
  v8.promiseHooks.createHook = function (hooks) {
    const init = hooks.init;
    if (!init) return createHook.call(this, hooks);
    return createHook.call(this, {
      ...hooks,
      init(promise, parent) {
        const start = process.hrtime.bigint();
        init(promise, parent);
        hookNs += process.hrtime.bigint() - start;
        // The SDK's hook tags each promise made inside a workflow with its run id.
        if (promise.runId !== undefined) counts.workflowPromises += 1;
      },
    });
  };

  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${process.pid}-${threadId}.json`);
  setInterval(() => {
    if (counts.sandboxCalls === 0) return;
    counts.promiseHookMs = Number(hookNs / 1_000_000n);
    writeFileSync(file, JSON.stringify(counts, null, 2));
  }, 2000).unref();
}
