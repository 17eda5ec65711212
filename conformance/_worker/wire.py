"""The worker's side of the wire: the protocol's version, replies encoded as JSON lines, the lines
a run's process writes gathered into per-target results, and the words for how a process ended.

Stdlib only, Python 3.8 syntax; the host imports PROTOCOL_VERSION and exit_wording from here
too. The protocol is specified by conformance/schemas/protocol.schema.json, whose hello reply
holds its version: the one definition, read here, and by the MicroPython launcher.
"""
import json
import os
import signal

from conformance._worker.tree import write_all

__all__ = ["PROTOCOL_VERSION", "collect", "encode_reply", "exit_wording", "send", "wait_status_code"]

SCHEMA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "schemas",
                      "protocol.schema.json")


def _protocol_version():
    with open(SCHEMA, "rb") as handle:
        schema = json.loads(handle.read().decode("utf-8"))
    (hello,) = [reply for reply in schema["$defs"]["reply"]["oneOf"]
                if reply["properties"]["op"].get("const") == "hello"]
    return hello["properties"]["protocol"]["const"]


PROTOCOL_VERSION = _protocol_version()


def exit_wording(code):
    """How a process ended, from its return code as subprocess gives it (negative: the signal
    that killed it): "killed by SIGKILL", "killed by signal 99", "exited with code 3"."""
    if code < 0:
        try:
            return "killed by %s" % signal.Signals(-code).name
        except ValueError:
            return "killed by signal %d" % -code
    return "exited with code %d" % code


def wait_status_code(status):
    """The return code (as subprocess gives it) of an os.waitpid status."""
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


_RAW_KINDS = ((b'["step", ', "steps"), (b'["final", ', "final"))


def collect(data, results):
    """Share the JSON lines of a run's output among `results` in order, a run's last line
    being its outcome (or an error); returns how many runs are complete. Observations stay
    views of `data`, sent on as they are: decoding, re-encoding or even copying them here would
    double the worker's share of each run (each page the worker writes after a fork is copied)."""
    view, done, start = memoryview(data), 0, 0
    while done < len(results):
        end = data.find(b"\n", start)
        if end < 0:  # the rest is empty, or cut short by a crash
            break
        line_start, start = start, end + 1
        if end == line_start:
            continue
        result = results[done]
        for prefix, key in _RAW_KINDS:
            if data.startswith(prefix, line_start, end) and data[end - 1] == ord("]"):
                raw = view[line_start + len(prefix):end - 1]
                if key == "steps":
                    result["steps"].append(raw)
                else:
                    result["final"] = raw
                break
        else:
            kind, value = json.loads(data[line_start:end].decode("utf-8"))
            if kind == "outcome":
                result["outcome"] = value
            elif kind == "error":  # {phase, type, message, traceback}
                result["outcome"], result["error"] = "error", value
                result["detail"] = "%s: %s: %s" % (value["phase"], value["type"], value["message"])
            if kind in ("outcome", "error"):
                done += 1
    return done


def _encode(value, parts):
    """Append a reply's JSON (UTF-8) to `parts`, with the observations (views) as they are."""
    if isinstance(value, memoryview):
        parts.append(value)
    elif isinstance(value, dict):
        separator = b"{"
        for key, item in sorted(value.items()):
            parts.append(separator + json.dumps(key).encode("utf-8") + b": ")
            _encode(item, parts)
            separator = b", "
        parts.append(b"}" if value else b"{}")
    elif isinstance(value, list):
        separator = b"["
        for item in value:
            parts.append(separator)
            _encode(item, parts)
            separator = b", "
        parts.append(b"]" if value else b"[]")
    else:
        parts.append(json.dumps(value, sort_keys=True).encode("utf-8"))


def encode_reply(reply):
    """A reply as one line of text (no newline), for a runtime that carries lines itself."""
    parts = []
    _encode(reply, parts)
    return b"".join(bytes(part) for part in parts).decode("utf-8")


def send(fd, reply):
    """Write a reply as one line, from its parts (os.writev): joining them would copy it."""
    parts = []
    _encode(reply, parts)
    parts.append(b"\n")
    if not hasattr(os, "writev"):
        write_all(fd, b"".join(parts))
        return
    for first in range(0, len(parts), 512):  # IOV_MAX is 1024 on Linux
        chunk = parts[first:first + 512]
        written = os.writev(fd, chunk)
        if written < sum(len(part) for part in chunk):  # cut short: the rest the plain way
            write_all(fd, b"".join(chunk)[written:])

