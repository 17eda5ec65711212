"""Expectation files: an implementation's known differences, case by case, as a person writes and
reviews them (WPT's expectation files, test262's skip lists, pytest's strict xfail).

A TOML file (or JSON with the same structure) of `[[expect]]` entries:

    [[expect]]
    case = "dunder_import.level.float"      # a case id, or a glob of ids (* any, ? one)
    status = "fail"                          # fail, timeout, crash, unsupported or skip
    fields = ["steps[0].exception.message"]  # fail only: the fields that may differ (globs)
    reason = "PyPy words the TypeError of a float level otherwise"
    link = "https://..."                     # optional
    python = ["pypy 3.9*"]                   # optional: globs over interpreter labels
    features = ["relative-name"]             # optional: only cases that do all of these
                                             # (conformance/_features.py); `case` then defaults to "*"

An outcome matches its entry when the status is the one written and, for `fail` with `fields`,
every differing field matches one of them; a listed case that passes, or fails otherwise, is a
failure of the run, as an unlisted case that fails is.

The files this project keeps for other implementations ship with the tool and are named without
their path: `--expectations pypy3.9` reads expectations/pypy3.9.toml (`shipped()` lists them).
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from conformance._compare import Verdict, glob_pattern
from conformance._features import unknown_feature
from conformance._files import write_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the host's 3.10
    import tomli as tomllib

__all__ = ["Expectation", "ExpectationError", "Expectations", "Assessment", "assess", "load_expectations", "merged",
           "write_expectations", "STATUSES"]

STATUSES = ("fail", "timeout", "crash", "unsupported", "skip")
_KEYS = {"case", "status", "fields", "reason", "link", "python", "features"}


class ExpectationError(Exception):
    """A bad expectation file: the message is one line naming the file, line and field."""


@dataclass(frozen=True)
class Expectation:
    """One entry: which cases (and interpreters) it covers, what is expected of them, and why."""

    case: str
    status: str
    reason: str
    fields: tuple[str, ...] = ()
    link: str | None = None
    python: tuple[str, ...] = ()
    line: int = 0
    features: tuple[str, ...] = ()  # what a covered case does, all of it (conformance/_features.py)
    source: Path | None = None  # the file it is written in

    def covers(self, case_id: str, interpreter: str, features: frozenset = frozenset()) -> bool:
        return (glob_pattern(self.case).fullmatch(case_id) is not None
                and (not self.python or any(glob_pattern(p).fullmatch(interpreter) for p in self.python))
                and all(feature in features for feature in self.features))

    def status_of(self, verdict: Verdict) -> str:
        """What the verdict is, in an entry's words: pass, fail, timeout, crash, unsupported,
        skip or error."""
        if verdict.status == "failed":
            outcome = verdict.divergence.target.get("outcome") if verdict.divergence else None
            return outcome if outcome in ("timeout", "crash") else "fail"
        return {"passed": "pass", "skipped": "skip"}.get(verdict.status, verdict.status)

    def unexplained(self, verdict: Verdict) -> list[str]:
        """The differing fields of a failed verdict that `fields` does not name (none if no
        fields are written)."""
        if not self.fields or verdict.divergence is None:
            return []
        return [d.path for d in verdict.divergence.differences
                if not any(glob_pattern(f).fullmatch(d.path) for f in self.fields)]


@dataclass
class Assessment:
    """A verdict seen through the expectations: `ok` (passed, or unsupported, unlisted),
    `expected` (as its entry says), or `unexpected`, with why."""

    verdict: Verdict
    kind: str
    entry: Expectation | None = None
    message: str = ""


@dataclass
class Expectations:
    """The entries of one file, first match wins."""

    path: Path
    entries: list[Expectation] = field(default_factory=list)

    def entry_for(self, case_id: str, interpreter: str, features: frozenset = frozenset()) -> Expectation | None:
        return next((e for e in self.entries if e.covers(case_id, interpreter, features)), None)

    def skips(self, case_id: str, interpreter: str, features: frozenset = frozenset()) -> Expectation | None:
        entry = self.entry_for(case_id, interpreter, features)
        return entry if entry is not None and entry.status == "skip" else None

    def check_cases(self, case_ids) -> None:
        """Every entry must name at least one case of the run: raise ExpectationError for the
        first that names none (a typo, or a case since renamed)."""
        ids = list(case_ids)
        for entry in self.entries:
            if not any(glob_pattern(entry.case).fullmatch(i) for i in ids):
                raise ExpectationError("%s:%d: case: %r names no case of this run (%d cases)"
                                       % (self.path, entry.line, entry.case, len(ids)))

    def assess(self, verdict: Verdict) -> Assessment:
        """Whether the verdict is what the file expects."""
        entry = self.entry_for(verdict.case_id, verdict.interpreter, verdict.features)
        if entry is None:
            ok = verdict.status in ("passed", "skipped", "unsupported")
            return Assessment(verdict, "ok" if ok else "unexpected", None,
                             "" if ok else "not in %s" % self.path)
        actual = entry.status_of(verdict)
        where = "%s:%d" % (entry.source or self.path, entry.line)
        if actual == "pass":
            return Assessment(verdict, "unexpected", entry, "now passes: remove it from %s" % where)
        if actual != entry.status:
            return Assessment(verdict, "unexpected", entry,
                             "expected %s (%s), got %s" % (entry.status, where, actual))
        others = entry.unexplained(verdict)
        if others:
            return Assessment(verdict, "unexpected", entry,
                             "fails differently than %s says: %s" % (where, ", ".join(others[:6])))
        return Assessment(verdict, "expected", entry, entry.reason)


def assess(verdict: Verdict, expectations: Expectations | None = None) -> Assessment:
    """A verdict seen through an expectation file, or without one: a failure or an error is
    unexpected, anything else is ok."""
    if expectations is not None:
        return expectations.assess(verdict)
    ok = verdict.status in ("passed", "skipped", "unsupported")
    return Assessment(verdict, "ok" if ok else "unexpected")


def merged(files: list[Expectations]) -> Expectations:
    """Several expectation files read as one (`--expectations` given more than once): their
    entries in the order given, first match wins; each entry keeps its own file for messages."""
    if len(files) == 1:
        return files[0]
    return Expectations(", ".join(str(f.path) for f in files), [e for f in files for e in f.entries])


SHIPPED = Path(__file__).parent / "expectations"  # the checkout's expectations/, in the package


def shipped() -> list[str]:
    """The names of the expectation files that ship with the tool (pypy3.9, pyodide, ...)."""
    return sorted(path.stem for path in SHIPPED.glob("*.toml"))


def expectation_path(given: str | Path) -> Path:
    """`given` as a path where a file is there (or it reads as a path), else the shipped
    expectation file of that name; ExpectationError (one line) when it is neither."""
    path = Path(given)
    if path.exists() or len(path.parts) > 1 or path.suffix in (".toml", ".json"):
        return path
    if (SHIPPED / (path.name + ".toml")).is_file():
        return SHIPPED / (path.name + ".toml")
    raise ExpectationError("%s: no such file, nor an expectation file shipped with the tool (%s)"
                           % (given, ", ".join(shipped())))


def load_expectations(path: str | Path) -> Expectations:
    """Read and check an expectation file (a path, or the name of a shipped one); ExpectationError
    (one line) if it is unreadable or an entry is wrong."""
    path = expectation_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ExpectationError("%s: cannot read: %s" % (path, getattr(error, "strerror", None) or error))
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ExpectationError("%s:%d: invalid JSON: %s" % (path, error.lineno, error.msg))
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            line = re.search(r"line (\d+)", str(error))
            raise ExpectationError("%s:%s: invalid TOML: %s" % (
                path, line.group(1) if line else "?", str(error).split(" (at ")[0]))
    if not isinstance(data, dict) or set(data) - {"expect"}:
        extra = sorted(set(data) - {"expect"}) if isinstance(data, dict) else []
        raise ExpectationError("%s:1: %s" % (path, "unknown key %r (entries are [[expect]] tables)" % extra[0]
                                              if extra else "the file must hold [[expect]] entries"))
    entries = data.get("expect", [])
    if not isinstance(entries, list):
        raise ExpectationError("%s:1: expect: must be a list of tables ([[expect]])" % path)
    lines = _entry_lines(text, path.suffix == ".json", len(entries))
    return Expectations(path, [_entry(path, lines[i], item, text) for i, item in enumerate(entries)])


def _entry_lines(text: str, is_json: bool, count: int) -> list[int]:
    """The line each entry starts on: its [[expect]] header (TOML), its opening brace (JSON)."""
    if is_json:
        found = [n for n, line in enumerate(text.splitlines(), 1) if re.search(r'"case"\s*:', line)]
    else:
        found = [n for n, line in enumerate(text.splitlines(), 1) if re.match(r"\s*\[\[\s*expect\s*\]\]", line)]
    return (found + [0] * count)[:count]


def _entry(path: Path, line: int, item, text: str) -> Expectation:
    def fail(key, message):
        return ExpectationError("%s:%d: %s: %s" % (path, _key_line(text, line, key), key, message))

    if not isinstance(item, dict):
        raise ExpectationError("%s:%d: expect: each entry must be a table" % (path, line))
    for key in item:
        if key not in _KEYS:
            raise fail(key, "unknown field (known: %s)" % ", ".join(sorted(_KEYS)))
    if "features" in item and "case" not in item:
        item = {**item, "case": "*"}  # every case that does what `features` says
    for key in ("case", "status", "reason"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise ExpectationError("%s:%d: %s: required, a non-empty string" % (path, line, key))
    if item["status"] not in STATUSES:
        raise fail("status", "%r is not one of %s" % (item["status"], ", ".join(STATUSES)))
    lists = {}
    for key in ("fields", "python", "features"):
        value = item.get(key, [])
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise fail(key, "must be a list of non-empty strings")
        lists[key] = tuple(value)
    if lists["fields"] and item["status"] != "fail":
        raise fail("fields", "only a `fail` entry names fields")
    for name in lists["features"]:
        if unknown_feature(name):
            raise fail("features", unknown_feature(name))
    if "link" in item and not isinstance(item["link"], str):
        raise fail("link", "must be a string")
    return Expectation(item["case"], item["status"], item["reason"], lists["fields"], item.get("link"),
                       lists["python"], line, lists["features"], path)


def _key_line(text: str, start: int, key: str) -> int:
    """The line of `key = ...` (or "key": ...) in the entry that starts at line `start`."""
    lines = text.splitlines()
    for number in range(start, len(lines) + 1):
        line = lines[number - 1]
        if number > start and re.match(r"\s*\[\[", line):
            break
        if re.match(r'\s*"?%s"?\s*[=:]' % re.escape(key), line):
            return number
    return start


def write_expectations(path: str | Path, verdicts: list[Verdict], interpreters: list[str],
                       previous: Expectations | None = None, case_ids=()) -> int:
    """Write the divergences of `verdicts` as a TOML expectation file, one entry per case,
    keeping the reasons and links already written in `previous`, its skip entries and its
    entries for cases not in `case_ids` (not run this time); an entry names the interpreters
    when the case fails on only some of the run's. Returns the number of entries written."""
    by_case: dict[str, list[Verdict]] = {}
    for verdict in verdicts:
        if verdict.status == "failed":
            by_case.setdefault(verdict.case_id, []).append(verdict)
    entries = []
    ran = list(case_ids)
    for entry in (previous.entries if previous else []):
        if entry.status == "skip" or not any(glob_pattern(entry.case).fullmatch(i) for i in ran):
            entries.append(entry)
    for case_id, failing in by_case.items():
        status = Expectation(case_id, "fail", "").status_of(failing[0])
        old = previous.entry_for(case_id, failing[0].interpreter) if previous else None
        fields = sorted({d.path for v in failing if v.divergence for d in v.divergence.differences})
        where = sorted({v.interpreter for v in failing})
        entries.append(Expectation(
            case_id, status, old.reason if old else "TODO: why this differs", tuple(fields) if status == "fail" else (),
            old.link if old else None, tuple(where) if set(where) != set(interpreters) else ()))
    lines = ["# Expected outcomes: python -m conformance check --expectations FILE",
             "# (written by --update-expectations; reasons and links are kept when it rewrites)", ""]
    for entry in entries:
        lines.append("[[expect]]")
        lines.append("case = %s" % json.dumps(entry.case, ensure_ascii=False))
        lines.append("status = %s" % json.dumps(entry.status))
        if entry.fields:
            lines.append("fields = [%s]" % ", ".join(json.dumps(f, ensure_ascii=False) for f in entry.fields))
        if entry.python:
            lines.append("python = [%s]" % ", ".join(json.dumps(p) for p in entry.python))
        if entry.features:
            lines.append("features = [%s]" % ", ".join(json.dumps(f) for f in entry.features))
        lines.append("reason = %s" % json.dumps(entry.reason, ensure_ascii=False))
        if entry.link:
            lines.append("link = %s" % json.dumps(entry.link))
        lines.append("")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_text(path, "\n".join(lines))  # whole or not at all: the reasons are the user's work
    return len(entries)
