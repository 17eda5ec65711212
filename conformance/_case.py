"""The case model: loading and validating case files (host side).

A case file is JSON, valid against schemas/case.schema.json; the catalogue's
recordings (CPython's observations, the `expected` key of the case format) live beside it in
catalogue/expected/<stem>.json.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from conformance._versions import minor, parse_version

__all__ = ["CATALOGUE", "Case", "CaseFileError", "load_cases", "case_schema"]

CATALOGUE = Path(__file__).parent / "catalogue"


class CaseFileError(Exception):
    """A case file is unreadable or invalid; the message names the file and the field."""


@dataclass
class Case:
    """One import scenario: its data (as in the file), where it came from, and its recordings
    (CPython's observations of it: the case format's `expected` groups)."""

    data: dict[str, Any]
    source: Path | None = None
    recordings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.data["id"]

    def runs_on(self, version: tuple[int, ...]) -> bool:
        """True if the case's version gate admits this interpreter version."""
        gate = self.data.get("python", {})
        low = parse_version(gate.get("min", "3.0"))
        high = parse_version(gate.get("max", "3.999"))
        return low <= tuple(version[:2]) <= high

    def recording_for(self, version: tuple[int, ...]) -> dict[str, Any] | None:
        """The recorded observation for this major.minor, if any."""
        wanted = minor(tuple(version))
        for expectation in self.recordings:
            if wanted in expectation["pythons"]:
                return expectation
        return None

    def newest_recording_before(self, version: tuple[int, ...]) -> tuple[int, int] | None:
        """The newest major.minor with a recording, older than `version`'s (a version newer
        than any recorded is compared with that one), or None."""
        recorded = [parse_version(v) for expectation in self.recordings for v in expectation["pythons"]]
        older = [v for v in recorded if v < tuple(version[:2])]
        return max(older) if older else None

    def changes_since(self, recorded: str, version: tuple[int, ...]) -> list[dict[str, Any]]:
        """The case's `changes` (behaviour that changed in a release, with the fields that show
        it) that one of a recording made on `recorded` (e.g. "3.13.0") and `version` has and the
        other lacks (an older patch release compared with a newer one's recording, or the
        reverse). A change lists the first release of each major.minor that has it (`since`); a
        newer major.minor than those listed has it, an older one lacks it."""
        made = parse_version(recorded)
        now = tuple(version)

        def has(release):
            firsts = [parse_version(since) for since in change["since"]]
            same = [first for first in firsts if first[:2] == release[:2]]
            if same:
                return release >= same[0]
            return release[:2] > max(first[:2] for first in firsts)

        found = []
        for change in self.data.get("changes", []):
            if has(now) != has(made):
                found.append(change)
        return found

    def to_json(self) -> dict[str, Any]:
        data = dict(self.data)
        if self.recordings:
            data["expected"] = self.recordings
        return data


@lru_cache(maxsize=None)
def case_schema() -> dict[str, Any]:
    text = resources.files("conformance").joinpath("schemas/case.schema.json").read_text()
    return json.loads(text)


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(case_schema())


def _where(error: jsonschema.ValidationError) -> str:
    parts = []
    for part in error.absolute_path:
        parts.append("[%d]" % part if isinstance(part, int) else ".%s" % part)
    return "".join(parts).lstrip(".") or "(top level)"


def _explain(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For a step, the error of the variant its `op` names (or one naming the unknown op)."""
    options = error.schema.get("oneOf") if isinstance(error.schema, dict) else None
    if error.validator != "oneOf" or not isinstance(error.instance, dict) or not options:
        return error
    ops = [option.get("properties", {}).get("op", {}).get("const") for option in options]
    op = error.instance.get("op")
    if op not in ops:
        error.message = "unknown op %r; expected one of %s" % (op, ", ".join(map(str, ops)))
        return error
    matching = [e for e in error.context if e.schema_path and e.schema_path[0] == ops.index(op)]
    return _explain(jsonschema.exceptions.best_match(matching)) if matching else error


def load_file(path: Path) -> list[Case]:
    """Cases of one file, validated, with their sidecar expectations attached."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CaseFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CaseFileError(f"{path}: not valid JSON: {exc}") from None
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        best = _explain(jsonschema.exceptions.best_match(errors))
        raise CaseFileError(f"{path}: invalid case file at {_where(best)}: {best.message}")
    sidecar = _sidecar(Path(path))
    cases = []
    for item in data["cases"]:
        recordings = item.pop("expected", [])
        cases.append(Case(item, Path(path), recordings or sidecar.get(item["id"], [])))
    return cases


def _sidecar(path: Path) -> dict[str, list]:
    side = path.parent / "expected" / path.name
    if not side.exists():
        return {}
    try:
        return json.loads(side.read_text(encoding="utf-8"))["expected"]
    except (OSError, ValueError, KeyError) as exc:
        raise CaseFileError(f"{side}: unreadable expectations: {exc}") from None


def case_files(paths: list[str | Path] | None = None) -> list[Path]:
    """The .json case files named by paths (files or directories); default: the catalogue."""
    found: list[Path] = []
    for item in paths or [CATALOGUE]:
        item = Path(item)
        if item.is_dir():
            found.extend(p for p in sorted(item.glob("*.json")) if p.name != "sentences.json")
        elif item.exists():
            found.append(item)
        else:
            raise CaseFileError(f"{item}: no such case file or directory")
    return found


def load_cases(paths: list[str | Path] | None = None) -> list[Case]:
    """All cases from the given files or directories (default: the catalogue); ids must be unique."""
    cases: list[Case] = []
    seen: dict[str, Path | None] = {}
    for path in case_files(paths):
        for case in load_file(path):
            if case.id in seen:
                raise CaseFileError(f"{path}: case id {case.id!r} already defined in {seen[case.id]}")
            seen[case.id] = path
            cases.append(case)
    return cases
