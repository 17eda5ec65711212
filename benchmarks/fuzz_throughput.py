"""Benchmark: differential cases per second on generated cases.

    python benchmarks/fuzz_throughput.py [--python 3.11]... [--cases 200] [--seconds 30] [--seed 0]

For each interpreter: (1) the same generated cases through the worker pool (a warm worker forking
a child per case, the runs one after another in it, as the fuzzer's search does; and forking per
run) and through a naive harness (a fresh interpreter process per run), target `stdlib` and
reference `stdlib`, --jobs at a time; (2) a whole fuzz campaign (generation, execution,
comparison) with the default policy for --seconds, median of --repeat runs. Prints Markdown
tables for the README.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

from hypothesis import HealthCheck, given, seed, settings

from conformance._pool import Pool
from conformance._fuzz import Campaign, default_jobs
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


def pooled(interpreter, generated: list[dict], jobs: int, shared_process: bool) -> float:
    """Seconds for the cases through a worker pool: a forked process per run, or (shared_process) per
    case, the runs one after another in it, as the fuzzer's search does."""
    pool = Pool(interpreter, jobs)
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(jobs) as executor:
            list(executor.map(lambda case: pool.run(case, ["stdlib", "stdlib"], 5.0, shared_process), generated))
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


def campaign(interpreter, seconds: float, seed: int, jobs: int) -> float:
    """Differential cases per second of a whole campaign, stdlib against stdlib."""
    run = Campaign([interpreter], "stdlib", "stdlib", jobs=jobs, seed=seed)
    run.run(seconds=seconds)
    return run.cases_run / run.elapsed_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", action="append", default=None)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="workers (default: cores + 1, as fuzz)")
    args = parser.parse_args()
    interpreters = [resolve(spec) for spec in args.python or ["3.11"]]
    generated = generate(args.cases, args.seed)
    print("Same %d generated cases, %d at a time:\n" % (len(generated), args.jobs))
    print("| interpreter | pool, fork per case (cases/s) | pool, fork per run (cases/s) "
          "| naive, fresh process per run (cases/s) | speed-up (per case, per run) |")
    print("| --- | --- | --- | --- | --- |")
    for interpreter in interpreters:
        per_case = statistics.median(pooled(interpreter, generated, args.jobs, True) for _ in range(args.repeat))
        per_run = statistics.median(pooled(interpreter, generated, args.jobs, False) for _ in range(args.repeat))
        slow = naive(interpreter, generated, args.jobs)
        print("| %s | %.0f | %.0f | %.1f | %.1fx, %.1fx |" % (
            interpreter.label, len(generated) / per_case, len(generated) / per_run, len(generated) / slow,
            slow / per_case, slow / per_run), flush=True)
    print("\nWhole campaigns (`fuzz`, default policy, %gs each, median of %d):\n" % (args.seconds, args.repeat))
    print("| interpreter | differential cases/s (runs) | median |")
    print("| --- | --- | --- |")
    for interpreter in interpreters:
        rates = [campaign(interpreter, args.seconds, args.seed + i, args.jobs) for i in range(args.repeat)]
        print("| %s | %s | %.0f |" % (interpreter.label, ", ".join("%.0f" % r for r in rates),
                                      statistics.median(rates)), flush=True)


if __name__ == "__main__":
    main()
