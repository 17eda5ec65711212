"""Reducing a case: greedy deletion (steps, files, body lines, set-up, optional arguments)
while the case keeps diverging. Works on any case, generated or hand-written. A step can be held
in focus: never deleted, and followed through the deletions of the steps before it."""
from __future__ import annotations

import copy
import json
from typing import Callable, Iterator

from conformance._case import case_schema

__all__ = ["reduce_case"]


def _optional_arguments() -> dict[str, tuple[str, ...]]:
    """Each step op's optional arguments, as the case schema says (a write's `path` is required,
    find_loader's is not: deleting it from a write made a case no run could take)."""
    optional = {}
    for step in case_schema()["$defs"]["step"]["oneOf"]:
        properties = step.get("properties", {})
        optional[properties["op"]["const"]] = tuple(name for name in properties
                                                    if name not in step.get("required", ()) and name != "comment")
    return optional


_OPTIONAL_ARGUMENTS = _optional_arguments()


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


def _candidates(case: dict, focus: int | None) -> Iterator[tuple[dict, int | None]]:
    """Every case one deletion smaller, biggest deletions first, with where the step in focus
    is in it (a step in focus is never deleted)."""
    for index in reversed(range(len(case.get("steps", [])))):
        if index == focus:
            continue
        smaller = copy.deepcopy(case)
        del smaller["steps"][index]
        yield smaller, focus - 1 if focus is not None and index < focus else focus
    for smaller in _other_candidates(case):
        yield smaller, focus


def _other_candidates(case: dict) -> Iterator[dict]:
    """Every case one deletion smaller, its steps all kept."""
    for path in sorted(case.get("files", {})):
        smaller = copy.deepcopy(case)
        del smaller["files"][path]
        yield smaller
    for path, source in sorted(case.get("files", {}).items()):
        for name in sorted(source.get("zip", {}) if isinstance(source, dict) else ()):  # an archive's entries
            smaller = copy.deepcopy(case)
            del smaller["files"][path]["zip"][name]
            yield smaller
    for index in reversed(range(len(case.get("dirs", [])))):  # an empty directory
        smaller = copy.deepcopy(case)
        del smaller["dirs"][index]
        yield smaller
    for key in ("sys_modules", "meta_path", "path_hooks", "dirs", "write_bytecode", "read_only"):
        if case.get(key):
            smaller = copy.deepcopy(case)
            del smaller[key]
            yield smaller
    for path, source in sorted(case.get("files", {}).items()):  # an archive as a directory of that name
        if isinstance(source, dict) and "zip" in source:
            smaller = copy.deepcopy(case)
            del smaller["files"][path]
            smaller["files"].update({"%s/%s" % (path, name): entry for name, entry in source["zip"].items()})
            yield smaller
    for path, source in sorted(case.get("files", {}).items()):
        if isinstance(source, dict) and "zip" in source:  # an archive's source entries, line by line
            for name, entry in sorted(source["zip"].items()):
                for lines in _fewer_lines(entry):
                    smaller = copy.deepcopy(case)
                    smaller["files"][path]["zip"][name] = lines
                    yield smaller
        for lines in _fewer_lines(source):  # bytecode stays whole: compiled as a whole
            smaller = copy.deepcopy(case)
            smaller["files"][path] = lines
            yield smaller
    for index, step in enumerate(case.get("steps", [])):
        for key in _OPTIONAL_ARGUMENTS.get(step.get("op"), ()):
            if key in step:
                smaller = copy.deepcopy(case)
                del smaller["steps"][index][key]
                yield smaller
    if len(case.get("sys_path", [])) > 1:
        for index in range(len(case["sys_path"])):
            smaller = copy.deepcopy(case)
            del smaller["sys_path"][index]
            yield smaller


def _fewer_lines(source) -> Iterator[list]:
    """A source's lines with one left out, last first; nothing for bytecode or an archive."""
    if isinstance(source, dict):
        return
    lines = source if isinstance(source, list) else source.splitlines()
    for index in reversed(range(len(lines))):
        yield lines[:index] + lines[index + 1:]


def reduce_case(case: dict, still_fails: Callable[[dict, int | None], bool], budget: int = 400,
                focus: int | None = None) -> dict:
    """The smallest case found by repeated single deletions that `still_fails(candidate, focus)`
    accepts, `focus` being where the step in focus (if any) now is; at most `budget` candidate runs."""
    current, runs, seen = case, 0, {json.dumps(case, sort_keys=True)}
    improved = True
    while improved and runs < budget:
        improved = False
        for candidate, moved in _candidates(current, focus):
            key = json.dumps(candidate, sort_keys=True)
            if key in seen or not _valid(candidate):
                continue
            seen.add(key)
            runs += 1
            if still_fails(candidate, moved):
                current, focus, improved = candidate, moved, True
                break
            if runs >= budget:
                break
    return current
