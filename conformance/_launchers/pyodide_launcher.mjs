// The worker for Pyodide: speaks the worker protocol (JSON lines on stdin/stdout) for a Python
// that runs in a Node worker thread, and watches it. Started by the host as
//   node pyodide_launcher.mjs --package DIR --root REPO --scratch DIR [--mount DIR]...
// A run that overruns its time is interrupted (SIGINT through Pyodide's interrupt buffer: the
// worker turns it into a timeout); if the runtime does not answer the interrupt (a sleep, a deep
// recursion, os._exit ends it), the thread is terminated, the run is a timeout or a crash, and a
// fresh runtime starts for the next request: nothing of the old one reaches it.
import { Worker } from "node:worker_threads";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import path from "node:path";

const args = process.argv.slice(2);
const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const options = {
  packageDir: option("--package"), root: option("--root"), scratch: option("--scratch"),
  mounts: args.flatMap((a, i) => (a === "--mount" ? [args[i + 1]] : [])),
};
const INTERRUPT_GRACE_MS = 2000;   // after the interrupt, how long the runtime has to answer
import { mkdirSync } from "node:fs";
if (options.scratch) mkdirSync(options.scratch, { recursive: true });
const THREAD = path.join(path.dirname(fileURLToPath(import.meta.url)), "pyodide_thread.mjs");

let runtime = null;       // {thread, interrupt, ready: Promise, pending: {resolve}|null}
let restarts = 0;
let snapshot = null;      // the first runtime's memory, fresh from loading: later runtimes start from it

function start() {
  const interrupt = new Int32Array(new SharedArrayBuffer(4));
  const thread = new Worker(THREAD, { workerData: { ...options, interrupt, restarts, snapshot } });
  const state = { thread, interrupt, pending: null, dead: false };
  state.ready = new Promise((resolve, reject) => {
    const first = (message) => {
      if (message.snapshot !== undefined) { thread.once("message", first); return; }
      if (message.ready) resolve(); else reject(new Error(String(message.error)));
    };
    thread.once("message", first);
  });
  thread.on("message", (message) => {
    if (message.snapshot !== undefined) {
      snapshot = message.snapshot;
      return;
    }
    if (message.fatal !== undefined) {
      state.dead = true;
      if (state.pending) { const { resolve } = state.pending; state.pending = null; resolve({ died: message.fatal }); }
      return;
    }
    if (message.reply !== undefined && state.pending) {
      const { resolve } = state.pending;
      state.pending = null;
      resolve({ line: message.reply });
    }
  });
  const died = (why) => {
    state.dead = true;
    if (state.pending) {
      const { resolve } = state.pending;
      state.pending = null;
      resolve({ died: why });
    }
  };
  thread.on("error", (error) => died("the runtime failed: " + String(error && error.message || error)));
  thread.on("exit", (code) => died("the runtime exited with code " + code));
  return state;
}

function exitDetail(why) {
  // "Program terminated with exit(3)" says what a native worker says as "exited with code 3"
  const exit = /exit\((\d+)\)/.exec(why);
  return exit ? "exited with code " + exit[1] : why;
}

function lost(request, outcome, detail) {
  // The reply to a run whose runtime had to go: every target's run ends as `outcome`.
  const results = (request.targets || []).map((target) => ({
    target, outcome, detail, steps: [], final: null, worker_lost: true, phase: "unknown" }));
  return JSON.stringify({ op: "result", id: request.id, results });
}

async function ask(request, line) {
  if (runtime === null || runtime.dead) {
    if (runtime !== null) restarts += 1;
    runtime = start();
  }
  try {
    await runtime.ready;
  } catch (error) {  // a runtime that cannot start: say so, and try afresh next time
    runtime.dead = true;
    throw error;
  }
  await runtime.ready;
  const current = runtime;
  const answer = new Promise((resolve) => { current.pending = { resolve }; });
  current.thread.postMessage({ line });
  if (request.op !== "run") return (await answer).line;
  const limit = (request.targets.length * (request.timeout || 5) + 1) * 1000;
  let timer;
  const overran = new Promise((resolve) => { timer = setTimeout(() => resolve({ overran: true }), limit); });
  let got = await Promise.race([answer, overran]);
  clearTimeout(timer);
  if (got.overran) {
    Atomics.store(current.interrupt, 0, 2);  // SIGINT: the worker's handler ends the run as a timeout
    const grace = new Promise((resolve) => setTimeout(() => resolve({ overran: true }), INTERRUPT_GRACE_MS));
    got = await Promise.race([answer, grace]);
    if (got.overran) {
      current.dead = true;
      current.pending = null;
      await current.thread.terminate();
      restarts += 1;
      runtime = start();  // loading now, for the next request
      return lost(request, "timeout", "no outcome within " + (request.timeout || 5) + "s");
    }
  }
  if (got.died) {
    restarts += 1;
    runtime = start();
    return lost(request, "crash", exitDetail(got.died));
  }
  return got.line;
}

async function askFresh(request) {
  // Each target in a runtime started for it (the fuzzer's confirmation of a divergence that
  // in-process runs showed): the counterpart of a process per run.
  const results = [];
  for (const target of request.targets) {
    if (runtime !== null && !runtime.dead) {
      runtime.dead = true;
      await runtime.thread.terminate();
      restarts += 1;
    }
    runtime = start();
    const single = { ...request, targets: [target] };
    delete single.fresh;
    delete single.together;
    const reply = JSON.parse(await ask(single, JSON.stringify(single)));
    if (reply.op !== "result") return JSON.stringify(reply);
    results.push(reply.results[0]);
  }
  return JSON.stringify({ op: "result", id: request.id, results });
}

const input = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
const queue = [];
let busy = false;

async function drain() {
  if (busy) return;
  busy = true;
  while (queue.length) {
    const line = queue.shift();
    const request = JSON.parse(line);
    if (request.op === "quit") { await shutdown(); return; }
    let reply;
    try {
      reply = request.op === "run" && request.fresh ? await askFresh(request) : await ask(request, line);
    } catch (error) {
      reply = JSON.stringify({ op: "error", id: request.id, message: "pyodide: " + String(error && error.message || error) });
    }
    process.stdout.write(reply + "\n");
  }
  busy = false;
}

async function shutdown() {
  if (runtime && !runtime.dead) {
    runtime.thread.postMessage({ finish: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await runtime.thread.terminate();
  }
  process.exit(0);
}

input.on("line", (line) => { if (line.trim()) { queue.push(line); drain(); } });
input.on("close", () => { queue.push(JSON.stringify({ op: "quit" })); drain(); });
