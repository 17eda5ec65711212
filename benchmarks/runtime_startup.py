"""Benchmark: a runtime's start-up and restart, and its cases per second per worker.

    python benchmarks/runtime_startup.py [--python pyodide:0.28 ...] [--repeat 3]

For each interpreter: seconds from starting a worker to its hello reply (for Pyodide: Node,
loading the runtime, mounting, importing the worker), seconds a run that sleeps past its time
takes until the next run's reply (the watchdog's interrupt, the termination, a fresh runtime),
and the catalogue's differential cases per second with one worker (target and reference stdlib,
in-process runs). Prints a Markdown table (medians) for the README.
"""
from __future__ import annotations

import argparse
import statistics
import time

from conformance._case import load_cases
from conformance._check import run_check
from conformance._interpreters import resolve
from conformance._protocol import Worker

SLEEPER = {"id": "sleep", "files": {"m.py": ["import time", "time.sleep(600)"]},
           "steps": [{"op": "import_module", "name": "m"}]}
QUICK = {"id": "quick", "files": {"m.py": ["x = 1"]}, "steps": [{"op": "import_module", "name": "m"}]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", action="append", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cases = load_cases()
    print("| interpreter | start-up s | restart after a hang s | cases/s, one worker |")
    print("| --- | --- | --- | --- |")
    for spec in args.python or ["pyodide:0.27", "pyodide:0.28", "pyodide:314", "3.13"]:
        interpreter = resolve(spec)
        starts, restarts, rates = [], [], []
        for _ in range(args.repeat):
            began = time.monotonic()
            with Worker(interpreter) as worker:
                starts.append(time.monotonic() - began)
                worker.run(SLEEPER, ["stdlib"], 1.0)
                began = time.monotonic()
                worker.run(QUICK, ["stdlib"], 5.0)  # waits for the fresh runtime where there is one
                restarts.append(time.monotonic() - began)
            result = run_check(cases, [interpreter], "stdlib", "stdlib", jobs=1)
            rates.append(result.cases_per_second)
        print("| %s | %.1f | %.1f | %.0f |" % (interpreter.label, statistics.median(starts),
                                               statistics.median(restarts), statistics.median(rates)))


if __name__ == "__main__":
    main()
