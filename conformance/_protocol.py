"""The host's end of the worker protocol (schemas/protocol.schema.json, version 1).

A Worker is one long-lived process of an interpreter under test running
conformance/_worker/main.py; requests and replies are JSON lines.
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from conformance._interpreters import Interpreter

__all__ = ["PROTOCOL_VERSION", "WORKER_FLAGS", "WORKER_SCRIPT", "Worker", "WorkerError", "worker_env"]

PROTOCOL_VERSION = 1
WORKER_SCRIPT = Path(__file__).parent / "_worker" / "main.py"
# No site-packages (-S, -s): .pth files must not add finders or modules to the cases' interpreter,
# and a lean process forks faster. No bytecode writing (-B).
WORKER_FLAGS = ["-s", "-S", "-B"]
RAM_DISK = "/dev/shm"


class WorkerError(Exception):
    """The worker died, spoke out of protocol, or refused a request."""


def worker_env() -> dict[str, str]:
    """The environment of a worker: no PYTHON* variables but a fixed hash seed and no bytecode;
    TMPDIR as given, else /dev/shm where it exists."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1", PYTHONIOENCODING="utf-8")
    if "TMPDIR" not in env and os.path.isdir(RAM_DISK) and os.access(RAM_DISK, os.W_OK | os.X_OK):
        env["TMPDIR"] = RAM_DISK  # case directories in memory: file writes cost a tenth
    return env


class Worker:
    """A running worker process; `run` sends one case and returns its per-target results."""

    def __init__(self, interpreter: Interpreter, isolation: str | None = None):
        self.interpreter = interpreter
        command = [interpreter.path, *WORKER_FLAGS, str(WORKER_SCRIPT)]
        if isolation:
            command += ["--isolation", isolation]
        self._stderr = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            env=worker_env(), text=True, encoding="utf-8", bufsize=1, cwd=tempfile.gettempdir(),
            start_new_session=True)  # Ctrl-C at a terminal interrupts the host, which closes its workers
        self._next_id = 0
        self.hello = self.request({"op": "hello"})
        if self.hello.get("protocol") != PROTOCOL_VERSION:
            self.close()
            raise WorkerError(f"{interpreter.path}: worker speaks protocol "
                              f"{self.hello.get('protocol')!r}, host speaks {PROTOCOL_VERSION}")

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        try:
            self._process.stdin.write(json.dumps(message) + "\n")
            self._process.stdin.flush()
            line = self._process.stdout.readline()
        except (BrokenPipeError, OSError):
            line = ""
        if not line:
            raise WorkerError(f"worker in {self.interpreter.label} exited: {self._stderr_tail()}")
        reply = json.loads(line)
        if reply.get("op") == "error":
            raise WorkerError(reply["message"])
        return reply

    def run(self, case: dict[str, Any], targets: list[str], timeout: float,
            together: bool = False) -> list[dict[str, Any]]:
        """Per-target results of one case. `together`: the targets may share one forked process,
        run in the order given with the import state restored between them (the first run sees
        exactly what a run of its own would)."""
        self._next_id += 1
        request = {"op": "run", "id": self._next_id, "case": case, "targets": targets, "timeout": timeout}
        if together:
            request["together"] = True
        reply = self.request(request)
        if reply.get("id") != self._next_id:
            raise WorkerError(f"reply for request {reply.get('id')}, expected {self._next_id}")
        return reply["results"]

    def alive(self) -> bool:
        return self._process.poll() is None

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        text = self._stderr.read().decode("utf-8", "replace").strip()
        return text.splitlines()[-1] if text else "no message"

    def close(self) -> None:
        if self._process.poll() is None:
            try:
                self._process.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self._process.stdin.close()
                self._process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self._process.kill()
                self._process.wait()
        self._stderr.close()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
