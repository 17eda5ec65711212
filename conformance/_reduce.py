"""Reducing a case: greedy deletion (steps, files, body lines, set-up, optional arguments)
while the case keeps diverging the same way. Works on any case, generated or hand-written."""
from __future__ import annotations

import copy
import json
from typing import Callable, Iterator

__all__ = ["reduce_case"]

_OPTIONAL_ARGUMENTS = ("package", "globals", "locals", "fromlist", "level", "path", "keep_mtime", "keep_file_mtime")


def _result_refs(value) -> list[int]:
    if isinstance(value, list):
        return [r for item in value for r in _result_refs(item)]
    if isinstance(value, dict):
        if set(value) == {"result"}:
            return [value["result"]]
        return [r for item in value.values() for r in _result_refs(item)]
    return []


def _valid(case: dict) -> bool:
    """Steps refer only to results of earlier steps; at least one step remains."""
    steps = case.get("steps", [])
    return bool(steps) and all(ref < index for index, step in enumerate(steps) for ref in _result_refs(step))


def _candidates(case: dict) -> Iterator[dict]:
    """Every case one deletion smaller, biggest deletions first."""
    for index in reversed(range(len(case.get("steps", [])))):
        smaller = copy.deepcopy(case)
        del smaller["steps"][index]
        yield smaller
    for path in sorted(case.get("files", {})):
        smaller = copy.deepcopy(case)
        del smaller["files"][path]
        yield smaller
    for path, source in sorted(case.get("files", {}).items()):
        for name in sorted(source.get("zip", {}) if isinstance(source, dict) else ()):  # an archive's entries
            smaller = copy.deepcopy(case)
            del smaller["files"][path]["zip"][name]
            yield smaller
    for key in ("sys_modules", "meta_path", "path_hooks", "dirs", "write_bytecode"):
        if case.get(key):
            smaller = copy.deepcopy(case)
            del smaller[key]
            yield smaller
    for path, source in sorted(case.get("files", {}).items()):
        if isinstance(source, dict):  # bytecode or an archive: compiled or packed as a whole
            continue
        lines = source if isinstance(source, list) else source.splitlines()
        for index in reversed(range(len(lines))):
            smaller = copy.deepcopy(case)
            smaller["files"][path] = lines[:index] + lines[index + 1:]
            yield smaller
    for index, step in enumerate(case.get("steps", [])):
        for key in _OPTIONAL_ARGUMENTS:
            if key in step:
                smaller = copy.deepcopy(case)
                del smaller["steps"][index][key]
                yield smaller
    if len(case.get("sys_path", [])) > 1:
        for index in range(len(case["sys_path"])):
            smaller = copy.deepcopy(case)
            del smaller["sys_path"][index]
            yield smaller


def reduce_case(case: dict, still_fails: Callable[[dict], bool], budget: int = 400) -> dict:
    """The smallest case found by repeated single deletions that `still_fails` accepts;
    at most `budget` candidate runs."""
    current, runs, seen = case, 0, {json.dumps(case, sort_keys=True)}
    improved = True
    while improved and runs < budget:
        improved = False
        for candidate in _candidates(current):
            key = json.dumps(candidate, sort_keys=True)
            if key in seen or not _valid(candidate):
                continue
            seen.add(key)
            runs += 1
            if still_fails(candidate):
                current, improved = candidate, True
                break
            if runs >= budget:
                break
    return current
