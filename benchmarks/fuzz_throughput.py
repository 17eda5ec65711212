"""Benchmark: differential cases per second of the fuzzer, each way of isolating runs side by side.

    python benchmarks/fuzz_throughput.py [--python 3.11]... [--cases 300] [--seconds 20] [--repeat 3]
        [--baseline DIR] [--targets stdlib,impl,control.py] [--across 3.8,3.9,3.10,3.11,3.12,3.13]
        [--ways in-process,unguided,fork,baseline] [--memory-seconds 600]

(1) The same generated cases (stdlib against stdlib, --jobs at a time) through a worker pool run
in-process (the import state restored after each run), forked per case (both runs in one child),
forked per run, and through a naive harness (a fresh interpreter per run). (2) Whole campaigns
(`python -m conformance fuzz --json`, each in an empty directory: no example database), the median
of --repeat, for `stdlib`, `impl` and a module target (tests/targets/control.py, the stdlib's
functions re-exported) on each --python, and `--across` the --across versions: with this code
in-process (coverage-guided, the default), in-process unguided (`--guidance off`) and forked, and with the checkout at --baseline (a worktree of an earlier commit: its
own default), the campaigns of one row run one after another, row by row, so that the machine's
load falls alike on each. The largest resident size of any worker process is sampled throughout.
(3) With --memory-seconds, one long in-process campaign of `stdlib`, its workers' largest resident
size and the workers recycled. Prints Markdown tables for docs/performance.md.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from conformance._interpreters import resolve  # noqa: E402
from conformance._pool import Pool  # noqa: E402
from conformance._protocol import WORKER_FLAGS, WORKER_SCRIPT, worker_env  # noqa: E402
from conformance.strategies import DEFAULT, generated_case, generated_size  # noqa: E402


# -- (1) the same cases through each isolation ------------------------------------------------------
def generate(count: int, seed: int) -> list[dict]:
    import random

    rng = random.Random(seed)
    return [generated_case(DEFAULT, rng.randbytes(generated_size(DEFAULT))) for _ in range(count)]


def pooled(interpreter, cases: list[dict], jobs: int, isolation: str, shared_process: bool) -> float:
    """Seconds for the cases through a pool of `isolation` workers (shared_process: both runs of a
    case in one forked child)."""
    pool = Pool(interpreter, jobs, isolation)
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(jobs) as executor:
            list(executor.map(lambda case: pool.run(case, ["stdlib", "stdlib"], 5.0, shared_process), cases))
        return time.monotonic() - started
    finally:
        pool.close()


def naive(interpreter, cases: list[dict], jobs: int) -> float:
    def one(case):
        for _ in ("target", "reference"):
            with tempfile.TemporaryDirectory() as case_dir:
                request = json.dumps({"case": case, "target": "stdlib", "case_dir": case_dir})
                subprocess.run([interpreter.path, *WORKER_FLAGS, str(WORKER_SCRIPT), "--one"], input=request,
                               capture_output=True, text=True, env=worker_env(), timeout=30)

    started = time.monotonic()
    with ThreadPoolExecutor(jobs) as executor:
        list(executor.map(one, cases))
    return time.monotonic() - started


# -- (2) whole campaigns ---------------------------------------------------------------------------
class WorkerMemory:
    """Samples, every half second, the resident size of the worker processes below a process."""

    def __init__(self, root: int):
        self.root, self.largest, self._stop = root, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            for pid in _descendants(self.root):
                self.largest = max(self.largest, _resident(pid) if _is_worker(pid) else 0)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.largest


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path("/proc/%s/stat" % entry).read_bytes()
            except OSError:
                continue
            parent = int(stat[stat.rindex(b")") + 2:].split()[1])
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.extend(children.get(pid, ()))
        todo.extend(children.get(pid, ()))
    return found


def _is_worker(pid: int) -> bool:
    try:
        return b"--scratch" in Path("/proc/%d/cmdline" % pid).read_bytes()
    except OSError:
        return False


def _resident(pid: int) -> int:
    try:
        return int(Path("/proc/%d/statm" % pid).read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def campaign(checkout: Path, arguments: list[str], seconds: float) -> dict:
    """One `fuzz` campaign of the code at `checkout`, in an empty directory: its JSON report, with
    `worker_rss` (the largest resident size of a worker, bytes)."""
    with tempfile.TemporaryDirectory() as directory:
        report = Path(directory) / "r.json"
        env = dict(os.environ, PYTHONPATH=str(checkout))
        process = subprocess.Popen([sys.executable, "-m", "conformance", "fuzz", *arguments, "--seconds", str(seconds),
                                    "--seed", "1", "--out", "out", "--json", str(report)],
                                   cwd=directory, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        memory = WorkerMemory(process.pid)
        _, err = process.communicate()
        largest = memory.stop()
        if not report.exists():
            raise SystemExit("campaign %s at %s failed: %s" % (arguments, checkout, err.strip()[-500:]))
        data = json.loads(report.read_text())
    data["worker_rss"] = largest
    return data


def campaign_rows(args, interpreters) -> list[tuple[str, list[tuple[str, Path, list[str]]]]]:
    """(row label, [(column, checkout, fuzz arguments)]) for each campaign compared."""
    baseline = [("baseline", Path(args.baseline).resolve(), [])] if args.baseline else []
    ways = [("in-process", HERE, ["--isolation", "inprocess"]),
            ("unguided", HERE, ["--isolation", "inprocess", "--guidance", "off"]),
            ("fork", HERE, ["--isolation", "fork"])] + baseline
    ways = [way for way in ways if way[0] in args.ways.split(",")]
    rows = []
    for interpreter in interpreters:
        for target in [name for name in args.targets.split(",") if name]:
            spec = ["--target", target] if target != "control.py" else []
            rows.append(("%s, %s" % (interpreter.label, target),
                         [(name, checkout, (spec or ["--target", str(checkout / "tests" / "targets" / target)])
                           + ["--python", interpreter.path] + extra) for name, checkout, extra in ways]))
    if args.across:
        versions = [part for part in args.across.split(",") if part]
        pythons = [option for version in versions for option in ("--python", resolve(version).path)]
        rows.append(("--across %s-%s" % (versions[0], versions[-1]),
                     [(name, checkout, ["--target", "stdlib", "--across", *pythons] + extra)
                      for name, checkout, extra in ways]))
    return rows


def campaign_table(args, rows) -> None:
    """The whole campaigns' table; the campaigns of a row run one after another."""
    columns = [name for name, _, _ in rows[0][1]]
    print("\nWhole campaigns, %gs each, median of %d (differential cases/s; divergences found; branches of "
          "importlib reached, guided; largest worker resident size):\n"
          % (args.seconds, args.repeat))
    print("| campaign | %s |" % " | ".join(columns))
    print("|" + " --- |" * (len(columns) + 1))
    for label, ways in rows:
        results: dict[str, list[dict]] = {name: [] for name in columns}
        for _ in range(args.repeat):
            for name, checkout, arguments in ways:
                results[name].append(campaign(checkout, arguments, args.seconds))
        cells = []
        for name in columns:
            rates = [data["cases_per_second"] for data in results[name]]
            unconfirmed = sum(data.get("unconfirmed", 0) for data in results[name])
            found = statistics.median(len(data["divergences"]) for data in results[name])
            branches = [data["guidance"]["total"] for data in results[name] if data.get("guidance")]
            cells.append("%.0f (%s)%s; %g found;%s %d MB" % (
                statistics.median(rates), ", ".join("%.0f" % r for r in rates),
                ", %d unconfirmed" % unconfirmed if unconfirmed else "", found,
                " %g branches;" % statistics.median(branches) if branches else "",
                max(data["worker_rss"] for data in results[name]) >> 20))
        print("| %s | %s |" % (label, " | ".join(cells)), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", action="append", default=None)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=(os.cpu_count() or 1) + 1, help="workers (default: cores + 1)")
    parser.add_argument("--baseline", metavar="DIR", help="a checkout of earlier code (git worktree add DIR REV)")
    parser.add_argument("--across", metavar="VERSIONS", default="", help="comma-separated, e.g. 3.8,3.9,3.10")
    parser.add_argument("--targets", default="stdlib,impl,control.py",
                        help="the campaigns on each --python (default %(default)s; control.py: a module target)")
    parser.add_argument("--ways", default="in-process,unguided,fork,baseline",
                        help="the columns of the campaigns' table (default %(default)s)")
    parser.add_argument("--memory-seconds", type=float, default=0.0)
    parser.add_argument("--skip-pool", action="store_true", help="only the whole campaigns")
    args = parser.parse_args()
    interpreters = [resolve(spec) for spec in args.python or ["3.11"]]
    if not args.skip_pool:
        cases = generate(args.cases, args.seed)
        print("Same %d generated cases, stdlib against stdlib, %d at a time (cases/s, median of %d):\n"
              % (len(cases), args.jobs, args.repeat))
        print("| interpreter | in-process | fork per case | fork per run | naive, fresh process per run |")
        print("| --- | --- | --- | --- | --- |")
        for interpreter in interpreters:
            rates = [len(cases) / statistics.median(pooled(interpreter, cases, args.jobs, isolation, shared)
                                                    for _ in range(args.repeat))
                     for isolation, shared in (("inprocess", False), ("fork", True), ("fork", False))]
            rates.append(len(cases) / naive(interpreter, cases[:100], args.jobs) * 100 / len(cases))
            print("| %s | %s |" % (interpreter.label, " | ".join("%.0f" % rate for rate in rates)), flush=True)
    rows = campaign_rows(args, interpreters)
    if rows:
        campaign_table(args, rows)
    if args.memory_seconds:
        data = campaign(HERE, ["--target", "stdlib", "--python", interpreters[0].path], args.memory_seconds)
        print("\nOne in-process campaign of %gs on %s: %d cases (%.0f/s), largest worker resident size %d MB, "
              "%d workers recycled, %d unconfirmed" % (args.memory_seconds, interpreters[0].label, data["cases"],
                                                       data["cases_per_second"], data["worker_rss"] >> 20,
                                                       data.get("recycled_workers", 0), data["unconfirmed"]))


if __name__ == "__main__":
    main()
