"""Benchmark: what a forked run pays the kernel on this machine, whatever the Python code does.

    python benchmarks/fork_cost.py [--pages 2000] [--forks 50]

Prints the cost of a fork and exit of this (small) interpreter, and of one copy-on-write page
fault: a child writing one byte into each of --pages pages it shares with its parent. Each
generated case's run makes several hundred such faults (`perf stat -e page-faults`), which is
why the README explains the fuzzer's throughput with this number.
"""
from __future__ import annotations

import argparse
import os
import time


def fork_and_write(buffer: bytearray, pages: int, forks: int) -> float:
    """Seconds per fork whose child writes `pages` pages of `buffer`, then exits."""
    started = time.perf_counter()
    for _ in range(forks):
        pid = os.fork()
        if pid == 0:
            for page in range(pages):
                buffer[page * 4096] = 2
            os._exit(0)
        os.waitpid(pid, 0)
    return (time.perf_counter() - started) / forks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--forks", type=int, default=50)
    args = parser.parse_args()
    buffer = bytearray(4096 * args.pages)
    for page in range(args.pages):
        buffer[page * 4096] = 1  # resident in the parent before any fork
    bare = fork_and_write(buffer, 0, args.forks)
    writing = fork_and_write(buffer, args.pages, args.forks)
    print("fork, exit and wait, child writes nothing: %.3f ms" % (bare * 1000))
    print("one copy-on-write page fault: %.2f us" % ((writing - bare) / args.pages * 1e6))


if __name__ == "__main__":
    main()
