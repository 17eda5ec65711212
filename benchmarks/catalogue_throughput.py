"""Benchmark: differential cases per second of the catalogue (target and reference, one interpreter).

    python benchmarks/catalogue_throughput.py [--python 3.11 ...] [--repeat 3] [--jobs N]

Prints a Markdown table (median of the repeats) for the README. Each case runs twice
(target `stdlib`, reference `stdlib`), each run in its own forked child.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

from conformance._case import load_cases
from conformance._check import run_check
from conformance._interpreters import resolve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", action="append", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()
    cases = load_cases()
    print("| interpreter | cases run | median seconds | median cases/s |")
    print("| --- | --- | --- | --- |")
    for spec in args.python or ["3.8", "3.11", "3.13"]:
        interpreter = resolve(spec)
        rates, seconds, ran = [], [], 0
        for _ in range(args.repeat):
            started = time.monotonic()
            result = run_check(cases, [interpreter], "stdlib", "stdlib", jobs=args.jobs)
            elapsed = time.monotonic() - started
            ran = result.ran
            rates.append(ran / elapsed)
            seconds.append(elapsed)
        print("| %s | %d | %.2f | %.0f |" % (interpreter.label, ran, statistics.median(seconds),
                                            statistics.median(rates)))


if __name__ == "__main__":
    main()
