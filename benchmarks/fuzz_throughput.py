"""Benchmark: differential cases per second on generated cases, the worker pool (a warm worker
forking per run) against a naive harness (a fresh interpreter process per run).

    python benchmarks/fuzz_throughput.py [--python 3.11] [--cases 200] [--seed 0]

Both harnesses run the same generated cases, target `stdlib` and reference `stdlib`, two at a
time (2 cores). Prints a Markdown table for the README.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

from hypothesis import HealthCheck, given, seed, settings

from conformance._check import Pool
from conformance._interpreters import resolve
from conformance._protocol import WORKER_FLAGS, WORKER_SCRIPT, worker_env
from strategies import cases


def generate(count: int, random_seed: int) -> list[dict]:
    found: list[dict] = []

    @seed(random_seed)
    @settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(cases())
    def collect(case):
        found.append(case)

    collect()
    return found[:count]


def pooled(interpreter, generated: list[dict], jobs: int) -> float:
    pool = Pool(interpreter, jobs)
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(jobs) as executor:
            list(executor.map(lambda case: pool.run(case, ["stdlib", "stdlib"], 5.0), generated))
        return time.monotonic() - started
    finally:
        pool.close()


def naive(interpreter, generated: list[dict], jobs: int) -> float:
    import tempfile

    def one(case):
        for _ in ("target", "reference"):
            with tempfile.TemporaryDirectory() as case_dir:
                request = json.dumps({"case": case, "target": "stdlib", "case_dir": case_dir})
                subprocess.run([interpreter.path, *WORKER_FLAGS, str(WORKER_SCRIPT), "--one"], input=request,
                               capture_output=True, text=True, env=worker_env(), timeout=30)

    started = time.monotonic()
    with ThreadPoolExecutor(jobs) as executor:
        list(executor.map(one, generated))
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", default="3.11")
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    interpreter = resolve(args.python)
    generated = generate(args.cases, args.seed)
    fast = pooled(interpreter, generated, args.jobs)
    slow = naive(interpreter, generated, args.jobs)
    print("| harness (%s, %d generated cases, %d at a time) | seconds | cases/s |" % (
        interpreter.label, len(generated), args.jobs))
    print("| --- | --- | --- |")
    print("| worker pool, fork per run | %.2f | %.0f |" % (fast, len(generated) / fast))
    print("| naive, fresh process per run | %.2f | %.0f |" % (slow, len(generated) / slow))
    print("| speed-up | | %.1fx |" % (slow / fast))


if __name__ == "__main__":
    main()
