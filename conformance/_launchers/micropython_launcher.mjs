// The worker for MicroPython: speaks the worker protocol (JSON lines on stdin/stdout) for
// micropython_worker.py, run inside MicroPython's WebAssembly port. Started by the host as
//   node micropython_launcher.mjs --package DIR --scratch DIR
// MicroPython runs on this thread: a run that hangs is ended by the host's reply limit (the
// host kills this process and starts another; MicroPython loads in milliseconds).
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const args = process.argv.slice(2);
const packageDir = args[args.indexOf("--package") + 1];
const { loadMicroPython } = await import(pathToFileURL(path.join(packageDir, "micropython.mjs")).href);
const mp = await loadMicroPython({ stdout: () => {}, stderr: (text) => process.stderr.write(text) });
const here = path.dirname(fileURLToPath(import.meta.url));
// the protocol's version: the one the schema's hello reply holds
const schema = JSON.parse(readFileSync(path.join(here, "..", "schemas", "protocol.schema.json"), "utf8"));
const hello = schema.$defs.reply.oneOf.find((reply) => reply.properties.op.const === "hello");
mp.runPython(`PROTOCOL_VERSION = ${JSON.stringify(hello.properties.protocol.const)}`);
mp.runPython(readFileSync(path.join(here, "micropython_worker.py"), "utf8"));
const replyTo = mp.globals.get("reply_to");

const input = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
input.on("line", (line) => {
  if (!line.trim()) return;
  if (JSON.parse(line).op === "quit") process.exit(0);
  let reply;
  try {
    reply = replyTo(line);
  } catch (error) {
    reply = JSON.stringify({ op: "error", message: "micropython: " + String(error && error.message || error).slice(-500) });
  }
  process.stdout.write(reply + "\n");
});
input.on("close", () => process.exit(0));
