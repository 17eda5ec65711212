"""Recordings: observations of the stdlib target on real CPython interpreters, which a check with
`--reference expected` compares with (stored as the case format's `expected` groups).

Recordings are never typed by hand. Each case is run twice per interpreter;
if the two runs differ, the case is not deterministic and recording fails.
Observations equal across versions are stored once, with every version listed.
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Callable

from conformance._case import Case
from conformance._compare import observation
from conformance._files import write_text
from conformance._interpreters import Interpreter
from conformance._pool import Pool
from conformance._versions import minor, parse_version

__all__ = ["RecordError", "record"]


class RecordError(Exception):
    """Recording refused: a non-CPython interpreter, or a case that is not deterministic."""


def _observe(pool: Pool, case: Case, timeout: float) -> dict:
    first, second = pool.run(case.data, ["stdlib", "stdlib"], timeout)
    if first.get("worker_lost") or second.get("worker_lost"):
        raise RecordError(f"case {case.id} lost its worker twice on {pool.interpreter.label}: "
                          f"{(first if first.get('worker_lost') else second)['detail']}")
    left, right = observation(first), observation(second)
    if left != right:
        raise RecordError(f"case {case.id} is not deterministic on {pool.interpreter.label}")
    if left["outcome"] == "error":
        raise RecordError(f"case {case.id} cannot run on {pool.interpreter.label}: "
                          f"{first.get('detail')}")
    return left


def _check_native(interpreter: Interpreter) -> None:
    """What the worker says of itself must be native CPython too (a launcher can hide a
    runtime behind an executable): a recording from wasm32 would bake in its platform."""
    from conformance._protocol import Worker

    with Worker(interpreter) as worker:
        hello = worker.hello
    if hello.get("runtime", "native") != "native" or hello.get("platform") in ("emscripten", "wasi"):
        raise RecordError("expectations come from native CPython only, not %s (runtime %s, platform %s)"
                          % (interpreter.label, hello.get("runtime"), hello.get("platform")))


def record(cases: list[Case], interpreters: list[Interpreter], jobs: int, timeout: float,
           progress: Callable[[str], None] | None = None, isolation: str | None = None) -> list[Path]:
    """Record every case on every interpreter and write the sidecar files; returns them."""
    for interpreter in interpreters:
        if interpreter.implementation != "cpython" or not interpreter.native:
            raise RecordError(f"expectations come from native CPython only, not {interpreter.label}")
        _check_native(interpreter)
    per_case: dict[str, list[tuple[Interpreter, dict]]] = defaultdict(list)
    for interpreter in interpreters:
        pool = Pool(interpreter, jobs, isolation)
        try:
            runnable = [case for case in cases if case.runs_on(interpreter.version)]
            observed = pool.map(lambda case: _observe(pool, case, timeout), runnable)
        finally:
            pool.close()
        for case, obs in zip(runnable, observed):
            per_case[case.id].append((interpreter, obs))
        if progress:
            progress(f"recorded {len(runnable)} cases on {interpreter.label}")
    by_file: dict[Path, dict[str, list]] = defaultdict(dict)
    for case in cases:
        entries = {}  # "3.X" -> (exact version, observation); old recordings stay unless redone
        for group in case.recordings:
            for version, exact in zip(group["pythons"], group["recorded_on"]):
                entries[version] = (exact, observation(group))
        for interpreter, obs in per_case[case.id]:
            entries[minor(interpreter.version)] = (".".join(map(str, interpreter.version)), obs)
        case.recordings = _group(entries)
        by_file[case.source][case.id] = case.recordings
    written = []
    for source, expected in by_file.items():
        sidecar = source.parent / "expected" / source.name
        text = json.dumps({"format": 1, "expected": expected}, indent=1, sort_keys=True)
        write_text(sidecar, text + "\n")  # whole or not at all: a recording is the user's work
        written.append(sidecar)
    return written


def _group(entries: dict[str, tuple[str, dict]]) -> list[dict]:
    """Merge equal observations; each group lists its versions and exact recording versions."""
    groups: list[dict] = []
    for version in sorted(entries, key=parse_version):
        exact, obs = entries[version]
        for group in groups:
            if observation(group) == obs:
                group["pythons"].append(version)
                group["recorded_on"].append(exact)
                break
        else:
            groups.append({"pythons": [version], "recorded_on": [exact], **obs})
    return groups
