"""The command line's options, checked: target and reference specs, interpreters, ignore
patterns, policies, expectation files, numbers. Bad input raises UsageError, one line naming the
option or file (the CLI prints it and exits 2; the pytest plugin makes it a usage error)."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from conformance._case import Case
from conformance._check import stderr_progress
from conformance._compare import FEATURE_PREFIX, IgnoreRule
from conformance._expectations import Expectations, load_expectations, merged
from conformance._features import unknown_feature
from conformance._interpreters import Interpreter, discover, resolve
from conformance._targets import BUILT_IN_TARGETS

__all__ = ["UsageError", "count", "expectations_for", "ignore_rules", "interpreters_for", "policy_from", "positive",
           "target_spec"]

_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class UsageError(Exception):
    """Bad input from the user: reported in one line, exit 2."""


def target_spec(option: str, spec: str, allow_recorded: bool = False) -> str:
    """A target (or reference) spec as the worker takes it: paths made absolute; UsageError if
    it names nothing. `allow_recorded`: also `expected` and `expected:3.N` (a reference)."""
    if spec in BUILT_IN_TARGETS or (allow_recorded and spec == "expected"):
        return spec
    if re.match(r"^impl:3\.\d+$", spec) or (allow_recorded and re.match(r"^expected:3\.\d+$", spec)):
        return spec
    if spec.startswith("source:"):
        directory = Path(spec.partition(":")[2])
        if not (directory / "_bootstrap.py").is_file():
            raise UsageError(f"{option} {spec}: {directory} is not a copy of importlib's directory (no _bootstrap.py)")
        return f"source:{directory.resolve()}"
    if spec.endswith(".py") or "/" in spec:
        path = Path(spec)
        if not path.is_file():
            raise UsageError(f"{option} {spec}: no such file")
        return str(path.resolve())
    if _DOTTED.match(spec):
        return spec
    raise UsageError(f"{option} {spec}: expected stdlib, builtin, impl, impl:3.N, source, source:DIR, "
                     f"{'expected, expected:3.N, ' if allow_recorded else ''}a dotted module name or a .py file")


def interpreters_for(specs: list[str] | None, progress: bool = True) -> list[Interpreter]:
    """The interpreters `specs` name (--python), or every one found; UsageError if none is."""
    discovered = discover()
    if specs:
        return [resolve(spec, discovered) for spec in specs]
    if not discovered:
        raise UsageError("no Python >= 3.8 found on PATH or under pyenv; name one with --python")
    if progress:
        stderr_progress("interpreters: " + ", ".join(i.label for i in discovered))
    return discovered


def positive(text: str) -> float:
    """An argparse type: a number above zero."""
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def count(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("must be a whole number of at least 1, got %r" % text)
    return int(text)


def expectations_for(path: str | list[str] | None, cases: list[Case], must_exist: bool = True) -> Expectations | None:
    """The expectation file at `path` (None if no path, or if it need not exist and does not),
    checked against the run's cases; several paths are read as one (merged)."""
    if isinstance(path, list):
        files = [found for found in (expectations_for(p, cases, must_exist) for p in path) if found is not None]
        return merged(files) if files else None
    if path is None or (not must_exist and not Path(path).exists()):
        return None
    expectations = load_expectations(path)
    if must_exist:  # a file to be rewritten keeps the entries of cases this run does not have
        expectations.check_cases(case.id for case in cases)
    return expectations


def ignore_rules(patterns: list[str]) -> list[IgnoreRule]:
    """--ignore patterns as rules."""
    for pattern in patterns:
        if not pattern.strip():
            raise UsageError("--ignore: an empty pattern would match nothing")
        unknown = unknown_feature(pattern[len(FEATURE_PREFIX):]) if pattern.startswith(FEATURE_PREFIX) else None
        if unknown:
            raise UsageError("--ignore: " + unknown)
    return [IgnoreRule(pattern, "--ignore") for pattern in patterns]


def policy_from(text: str, interpreters=None):
    """A --policy as a strategies.Policy; lazy imports generated too where every one of
    `interpreters` has them (CPython 3.15 and later), unless the text says `lazy` or `no-lazy`."""
    from dataclasses import replace

    from conformance.strategies import mentions, parse_policy

    try:
        policy = parse_policy(text)
    except ValueError as exc:
        raise UsageError(f"--policy: {exc}")
    if interpreters and not mentions(text, "lazy") and all(
            i.implementation == "cpython" and tuple(i.version[:2]) >= (3, 15) for i in interpreters):
        policy = replace(policy, lazy=True)
    return policy
