// The Pyodide runtime of pyodide_launcher.mjs, in a worker thread: loads Pyodide from the npm
// package directory, mounts the project, the scratch directory and the extra directories at
// their own paths, and answers request lines with the worker's reply lines (in-process runs).
import { parentPort, workerData } from "node:worker_threads";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const { packageDir, root, mounts, interrupt, restarts, snapshot } = workerData;
try {
  const { loadPyodide } = await import(pathToFileURL(path.join(packageDir, "pyodide.mjs")).href);
  const version = createRequire(import.meta.url)(path.join(packageDir, "package.json")).version;
  const stderr = (text) => process.stderr.write(text + "\n");
  const options = { indexURL: packageDir + path.sep, stdout: () => {}, stderr,
                    env: { CONFORMANCE_RUNTIME: "pyodide " + version, HOME: "/home/pyodide" } };
  // The first runtime is loaded in full and leaves a memory snapshot of itself, fresh from
  // loading; a restart starts from that snapshot (seconds faster).
  const pyodide = await loadPyodide(snapshot ? { ...options, _loadSnapshot: snapshot } : { ...options, _makeSnapshot: true });
  if (!snapshot) {
    const made = pyodide.makeMemorySnapshot();
    parentPort.postMessage({ snapshot: made }, [made.buffer]);
  }
  pyodide.setInterruptBuffer(interrupt);
  const mounted = [];  // the project and the host's working directory (a target file may be there)
  for (const dir of [root, ...mounts]) {
    if (!dir || mounted.some((m) => dir === m || dir.startsWith(m + path.sep))) continue;
    pyodide.FS.mkdirTree(dir);
    pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: dir }, dir);
    mounted.push(dir);
  }
  pyodide.globals.set("conformance_root", root);
  // case directories in the runtime's memory file system: fresh with each runtime
  pyodide.globals.set("conformance_scratch", "/tmp/conformance-" + restarts);
  const replyTo = pyodide.runPython(`
import os, sys
sys.path.insert(0, conformance_root)
os.makedirs(conformance_scratch, exist_ok=True)
from conformance._worker import main as _worker
conformance_worker = _worker.embedded(conformance_scratch)
conformance_worker.reply_to
`);
  parentPort.on("message", (message) => {
    if (message.finish) {
      pyodide.runPython("conformance_worker.finish()");
      return;
    }
    interrupt[0] = 0;
    let reply;
    try {
      reply = replyTo(message.line);
    } catch (error) {
      if (error && error.pyodide_fatal_error) {  // the runtime is unusable: the launcher starts another
        parentPort.postMessage({ fatal: "the runtime failed: " + String(error.message || error).slice(-300) });
        process.exit(1);
      }
      reply = JSON.stringify({ op: "error", message: "pyodide: " + String(error && error.message || error).slice(-500) });
    }
    parentPort.postMessage({ reply });
  });
  parentPort.postMessage({ ready: true });
} catch (error) {
  process.stderr.write("pyodide thread: " + (error && error.stack || error) + "\n");
  parentPort.postMessage({ ready: false, error: String(error && error.message || error) });
}
