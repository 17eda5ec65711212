"""Version changes: where CPython's behaviour changed from one version to the next.

A change is known by its boundary (the first version that has it) and what changed: the older
side's exception type where the exception type changed (one change shows through many calls
and messages: 3.8's ValueError for a relative import beyond the top-level package became
ImportError, or ModuleNotFoundError, in 3.9), otherwise the fields that differ. The same key
groups the catalogue's recordings (`python -m conformance changes`) and the findings of a
`fuzz --across` campaign, so that each change is listed once, with every case that shows it.
A campaign keeps the changes it has found (KnownChanges) with their causes (conformance/_causes.py),
and steers away from a divergence that shows only those.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from conformance._case import Case
from conformance._causes import ablate, atomic, explain, features_of
from conformance._compare import field_differences, observation
from conformance._files import write_text
from conformance._versions import minor, parse_version
from conformance.strategies import case_from

__all__ = ["KnownChanges", "VersionChange", "across_root", "boundary_pair", "change_key", "changes_from_findings",
           "changes_from_recordings", "generalise", "render_changes", "write_change_catalogue"]


def generalise(path: str) -> str:
    """A field path with the parts that name generated things (modules, paths, step numbers)
    wildcarded."""
    path = re.sub(r"\[\d+\]", "[]", path)
    path = path.replace(".threads[].", ".")  # a thread's call is observed as a step's call is
    # sys.modules keys hold dots themselves: the entry's field (bound, id, attrs...) ends the key
    path = re.sub(r"^final\.modules\..*?\.(bound|id|value|library|attrs)\b", r"final.modules.*.\1", path)
    path = re.sub(r"^final\.modules\.(?!\*\.).*", "final.modules.*", path)  # a whole entry
    path = re.sub(r"^final\.path_importer_cache\..*", "final.path_importer_cache.*", path)
    return re.sub(r"\.attrs\.[^.]+$", ".attrs.*", path)


def _first_steps(older: dict, newer: dict, differences) -> tuple[dict, dict]:
    """The first differing step on each side ({} where a side has none)."""
    steps = [int(m.group(1)) for d in differences if (m := re.match(r"steps\[(\d+)\]", d.path))]
    if not steps:
        return {}, {}
    first = min(steps)
    found = [side["steps"][first] if first < len(side.get("steps") or []) else {} for side in (older, newer)]
    return tuple(step if isinstance(step, dict) else {} for step in found)


def _first_step_exceptions(older: dict, newer: dict, differences) -> tuple:
    return tuple(step.get("exception", {}).get("type") for step in _first_steps(older, newer, differences))


def _words(text: str) -> str:
    """Text without what names the case's things: paths below the case, quoted names, file
    names, called names (`X.find_spec()`) and numbers blanked alike (a package given as 5 or
    as 'a' is one message)."""
    text = re.sub(r"<case>[^'\"\s)]*", "<path>", text)
    text = re.sub(r"'[^']*'|\[[^\]]*\]|[\w.-]+\.py\b", "_", text)
    return re.sub(r"\b\d+\b", "_", re.sub(r"[\w.]+\(\)", "_()", text))


def sketch(path: str, value: Any) -> Any:
    """The shape of a differing value, without what names the case's modules and files: text in
    _words(), records (warnings, finder calls, links of an exception chain) item by item, other
    values by their type."""
    if isinstance(value, list) and all(isinstance(item, list) and len(item) > 1 for item in value):
        return tuple(_record(path, item) for item in value)
    if isinstance(value, str):
        return _words(value)
    if isinstance(value, dict):
        return value.get("type", "dict")
    return type(value).__name__


def _record(path: str, item: list) -> tuple:
    if path.endswith("finder_calls"):
        return (item[1],)  # the method called, not which finder or which name
    return tuple(_words(str(part)) for part in item)


def _change_of(path: str, old: Any, new: Any) -> tuple:
    """What a field's change amounts to: for lists of records, the records removed and added
    (a warning more is the change, whatever other warnings both sides give); else both shapes."""
    old_shape, new_shape = sketch(path, old), sketch(path, new)
    if isinstance(old_shape, tuple) and isinstance(new_shape, tuple):
        return (tuple(sorted(set(old_shape) - set(new_shape))), tuple(sorted(set(new_shape) - set(old_shape))))
    return old_shape, new_shape


def _family(kind: str | None) -> str | None:
    return "ImportError" if kind == "ModuleNotFoundError" else kind


def change_key(boundary: str, older: dict, newer: dict, differences) -> tuple:
    """What changed at `boundary` between two observations of one case (older, newer): where the
    first differing step raises another exception type (or one in its chain is another), the
    older side's type and the newer's family; where it raises
    the same type with other words, that type (a new parser's or a new message's wording shows
    in many messages); else the first differing field and the shape of its values on each side
    (one change shows through more fields in some cases than in others)."""
    steps = _first_steps(older, newer, differences)
    gone = [step.get("outcome") == "unsupported" for step in steps]
    if gone[0] != gone[1]:  # a function one side has not (find_loader from 3.12): fuzz --across
        return minor(boundary), "gone" if gone[1] else "arrives", steps[1 if gone[1] else 0].get("op")
    kinds = _first_step_exceptions(older, newer, differences)
    if kinds[0] != kinds[1]:
        # what it raises now (or nothing) tells changes of one older type apart; ImportError and
        # its ModuleNotFoundError are one (3.9's ValueError became either, by call)
        return minor(boundary), "raises", kinds[0], _family(kinds[1])
    first = differences[0]
    field = generalise(first.path)
    if field.endswith("exception.message"):
        return minor(boundary), "message", kinds[0]
    removed, added = _change_of(first.path, first.target, first.reference)
    if field.endswith("exception.chain") and removed:  # an exception in the chain no longer raised:
        # keyed as where it is the exception raised, by what is there now (3.9's ValueError beyond
        # the top-level package, an ImportError now, shows in the context of a KeyError too)
        return minor(boundary), "raises", removed[0][-1], _family(added[0][-1]) if added else None
    return minor(boundary), "field", field, removed, added


@dataclass
class VersionChange:
    """One change of behaviour: the first version with it, what changed, the cases that show it
    (with the versions on each side, and one differing field as an example)."""

    key: tuple
    before: list[str]
    after: list[str]
    cases: list[str] = field(default_factory=list)
    example: tuple[str, Any, Any] | None = None
    description: str = ""
    features: frozenset = frozenset()  # the causes' features (_causes.py) every case showing it has
    known: str = ""  # the case's `changes` entry naming it, in words (a fix of patch releases too)

    @property
    def boundary(self) -> str:
        return self.key[0]

    @property
    def what(self) -> str:
        kind = self.key[1]
        if kind == "cause":
            return "what changes with %s (the change vanishes without them)" % " and ".join(self.key[2])
        if kind == "raises":
            now = self.key[3] if len(self.key) > 3 else None
            now = "ImportError or ModuleNotFoundError" if now == "ImportError" else now
            if self.key[2]:
                return "%s is no longer what is raised%s" % (self.key[2], " (%s instead)" % now if now else "")
            return "raises %s where it returned" % now if now else "raises where it returned"
        if kind == "message":
            return "the words of %s" % self.key[2]
        if kind in ("gone", "arrives"):
            return "importlib.%s is %s" % (self.key[2], "gone (a step calling it is unsupported)"
                                           if kind == "gone" else "there (before, a step calling it was unsupported)")
        return "`%s`: %s -> %s" % self.key[2:]

    @property
    def span(self) -> tuple:
        """(last version without the change, first with it): adjacent versions in the
        recordings; further apart in a campaign over fewer versions (3.8 and 3.13, say)."""
        return parse_version(self.before[-1]), parse_version(self.after[0])

    @property
    def same_version(self) -> bool:
        """Both sides of one major.minor version: implementations that differ (PyPy against
        CPython), no change between versions."""
        return minor(self.before[-1]) == minor(self.after[0])

    @property
    def heading(self) -> str:
        if self.same_version:
            return "Between implementations of %s" % minor(self.after[0])
        older, newer = self.span
        adjacent = older[0] == newer[0] and older[1] + 1 == newer[1]
        return "New in %s" % self.boundary if adjacent else "New after %s, by %s" % (self.before[-1], self.boundary)

    def matches(self, other: "VersionChange") -> bool:
        """The same change seen through other cases: boundaries that agree (each lies in the
        other's span), and the same key past it, or (a field change) the same shape of values in
        another first field, or (one is a cause) every case of the other having the cause's features.
        A difference between implementations of one version is no version change: it matches none."""
        if self.same_version or other.same_version:
            return False
        if not (self.span[0] < parse_version(other.boundary) <= self.span[1]
                or other.span[0] < parse_version(self.boundary) <= other.span[1]):
            return False
        if self.key[1:] == other.key[1:]:
            return True
        for change, seen in ((self, other), (other, self)):  # a cause: every case of the other has its features
            if change.key[1] == "cause":
                return set(change.key[2]) <= seen.features
        return self.key[1] == other.key[1] == "field" and self.key[3:] == other.key[3:]


def changes_from_recordings(cases: list[Case]) -> list[VersionChange]:
    """Every version change the recordings of `cases` show, one per key, in version order: each
    case's versions in order, a change wherever one version observes otherwise than the one
    before it (a behaviour that comes back later is a second change). A change the case's
    `changes` field names (a fix that came in patch releases too) says so."""
    found: dict[tuple, VersionChange] = {}
    for case in cases:
        timeline = sorted(((parse_version(python), python, exact, index)
                           for index, group in enumerate(case.recordings)
                           for python, exact in zip(group["pythons"], group.get("recorded_on", group["pythons"]))))
        for position, (older, newer) in enumerate(zip(timeline, timeline[1:])):
            if older[3] == newer[3]:
                continue
            older_group, newer_group = case.recordings[older[3]], case.recordings[newer[3]]
            left, right = observation(older_group), observation(newer_group)
            differences = list(field_differences("", left, right))
            if not differences:
                continue
            key = change_key(newer[1], left, right, differences)
            present = frozenset(features_of(case.data))
            change = found.get(key)
            if change is None:
                first = differences[0]
                before = [python for _, python, _, _ in _alike(timeline, position, -1)]
                after = [python for _, python, _, _ in _alike(timeline, position + 1, 1)]
                change = found[key] = VersionChange(key, before, after,
                                                    example=(first.path, first.target, first.reference),
                                                    description=case.data.get("description", ""),
                                                    features=present, known=_known(case, older[2], newer[0]))
            change.cases.append(case.id)
            change.features &= present
    return sorted(found.values(), key=lambda c: (parse_version(c.boundary), c.cases[0]))


def _alike(timeline: list, start: int, direction: int) -> list:
    """The versions next to each other in `timeline` from `start` (towards older ones for -1)
    that observe alike, oldest first."""
    run, index = [], start
    while 0 <= index < len(timeline) and timeline[index][3] == timeline[start][3]:
        run.append(timeline[index])
        index += direction
    return sorted(run)


def _known(case: Case, recorded: str, version: tuple) -> str:
    """The case's `changes` entries that a recording made on `recorded` lacks and `version` has,
    in words: a change that came in patch releases of older versions as well."""
    return "; ".join("%s (%s since %s)" % (change["description"], change.get("issue", "a patch release"),
                                           ", ".join(change["since"]))
                     for change in case.changes_since(recorded, version))


def changes_from_findings(findings) -> list[VersionChange]:
    """The change catalogue of a `fuzz --across` campaign: one entry per finding (findings are
    grouped by their root already: a cause, else the change_key), its reduced case as the example."""
    changes = []
    for finding in findings:
        if len(finding.groups) < 2:
            continue
        (older_labels, older), (newer_labels, newer) = ordered_groups(finding.groups)[:2]
        differences = list(field_differences("", older, newer))
        first = differences[0]
        # one version on both sides (PyPy and CPython 3.9): the labels name the implementations
        same = {minor(label) for label in older_labels} == {minor(label) for label in newer_labels}
        name = (lambda label: label) if same else minor
        changes.append(VersionChange(finding.root, [name(label) for label in older_labels],
                                     [name(label) for label in newer_labels], [finding.case["id"]],
                                     (first.path, first.target, first.reference), "found by fuzzing",
                                     frozenset(features_of(finding.case))))
    return sorted(changes, key=lambda c: parse_version(c.boundary))


def ordered_groups(groups):
    """Cross-version groups (labels, observation) from the oldest version to the newest."""
    return sorted(groups, key=lambda group: min(parse_version(label) for label in group[0]))


def boundary_pair(groups) -> tuple[str, str]:
    """The labels on each side of a cross-version divergence's first change: the newest version
    of the oldest group that is older than the next group's oldest, and that oldest."""
    (older_labels, _), (newer_labels, _) = ordered_groups(groups)[:2]
    newer = min(newer_labels, key=parse_version)
    older = max((label for label in older_labels if parse_version(label) < parse_version(newer)), key=parse_version)
    return older, newer


def across_root(groups) -> tuple:
    """The change_key of a cross-version divergence: between its oldest two groups."""
    (_, older), (newer_labels, newer) = ordered_groups(groups)[:2]
    return change_key(newer_labels[0], older, newer, list(field_differences("", older, newer)))


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = text.replace("|", "\\|").replace("\n", " ")
    return "`%s`" % (text if len(text) <= 70 else text[:67] + "...")


def render_changes(changes: list[VersionChange], source: str, preface: str | None = None) -> str:
    """The change catalogue as Markdown: per boundary, each change with an example and its cases
    (after `preface`, a paragraph, where given)."""
    lines = ["# Version changes of the import functions", "",
             "Generated by `python -m conformance changes` from %s; do not edit by hand. One entry per" % source,
             "change (first version with it, and what changed: the older side's exception type where that",
             "changed, the exception whose words changed, else the first differing field and the shape of",
             "its values), with the cases that show it."] + (["", preface] if preface else [])
    heading = None
    for change in changes:
        if change.heading != heading:
            heading = change.heading
            lines += ["", "## %s" % heading, ""]
        path, old, new = change.example
        lines.append("- **%s** (%s -> %s): %s.%s Example `%s` of %s: %s -> %s. Cases: %s." % (
            change.description.rstrip(".") or change.cases[0], "/".join(change.before), "/".join(change.after),
            change.what, " Known: %s." % change.known if change.known else "", path, change.cases[0],
            _short(old), _short(new), ", ".join("`%s`" % case for case in change.cases)))
    lines += ["", "%d changes." % len(changes)]
    return "\n".join(lines) + "\n"


def write_change_catalogue(findings, out: Path, recorded_cases: list[Case]) -> tuple[int, int]:
    """The report of a cross-version campaign, `out`/changes.md: its changes, each marked as in
    the change list of `recorded_cases`' recordings (the catalogue's: docs/version-changes.md) or
    new there. Returns how many changes there are, and how many of them the recordings show."""
    recorded = changes_from_recordings(recorded_cases)
    found, by_twin = [], {}
    for change in changes_from_findings(findings):
        twin = next((known for known in recorded if known.matches(change)), None)
        if twin is not None and id(twin) in by_twin:  # one change of the catalogue's, found twice: one entry
            by_twin[id(twin)].cases += change.cases
            continue
        change.description = ("also in the catalogue's changes: " + twin.cases[0]) if twin else "not in the catalogue"
        if twin is not None:
            by_twin[id(twin)] = change
        found.append(change)
    write_text(out / "changes.md", render_changes(found, "a fuzz --across campaign (minimal cases under this "
                                                  "directory)"))
    return len(found), sum(change.description != "not in the catalogue" for change in found)


class KnownChanges:
    """The version changes a cross-version campaign has found, and the runs that tell what a
    finding's change is about (causes by ablation, conformance/_causes.py). `run_across(case)`
    runs a case on every version of the campaign and returns (divergence or None, the groups of
    versions that observe alike)."""

    def __init__(self, run_across: Callable[[dict], tuple]):
        self._run_across = run_across
        self.roots: list[tuple] = []  # in the order found

    def _vanishes(self, finding, ablated: dict, exclude=None) -> bool:
        """Whether the versions on each side of `finding`'s change observe `ablated` alike, or
        differ only by a change found already (other than `exclude`): two changes at one boundary
        (3.12 drops the legacy finders' fallbacks and words a namespace package's repr otherwise)."""
        older, newer = boundary_pair(finding.groups)
        _, groups = self._run_across(case_from(ablated))
        seen = {label: observed for labels, observed in groups for label in labels}
        if older not in seen or newer not in seen:
            return False
        if seen[older] == seen[newer]:
            return True
        left = change_key(newer, seen[older], seen[newer], list(field_differences("", seen[older], seen[newer])))
        return left != exclude and left in self.roots

    def cause_of(self, finding) -> tuple:
        """The features of a reduced case each of whose ablation makes its change vanish; else,
        where only all of them together do, all of them (a case showing two changes at once)."""
        present = features_of(finding.case)
        single = tuple(name for name in present if self._vanishes(finding, ablate(finding.case, [name])))
        if single or len(present) < 2:
            return single
        return tuple(present) if self._vanishes(finding, ablate(finding.case, present)) else ()

    def _explained(self, finding, exclude=None) -> list:
        """The roots found so far (at the finding's boundary, one change each) that, undone in its
        case together, make its change vanish; [] if they do not."""
        roots = [root for root in self.roots if root[0] == finding.root[0] and root != exclude]
        ablated, used = explain(finding.case, roots)
        return used if ablated is not None and self._vanishes(finding, ablated, exclude) else []

    def shows_known(self, finding, runs: bool = True) -> bool:
        """Whether a divergence shows only changes found already: the same root, or (with `runs`)
        a difference that vanishes once those changes are undone in its case."""
        return finding.root in self.roots or (runs and bool(self._explained(finding)))

    def add(self, finding) -> None:
        finding.cause = self.cause_of(finding)
        self.roots.append(finding.root)

    def absorb_explained(self, findings: list) -> list:
        """Findings that are not one change themselves (a composite cause, a first difference
        another change brings about, an exception no longer raised that a guard hides: where the
        newer version's ImportError is caught and the module goes on) and that the changes found
        explain, absorbed by the first finding of a change that explains them."""
        kept = list(findings)
        for finding in findings:
            if atomic(finding.root) and not _replaced_alike(finding.root, self.roots):
                continue
            used = self._explained(finding, exclude=finding.root)
            host = next((other for other in kept if other is not finding and other.root in used), None)
            if host is not None:
                host.absorbed += [finding, *finding.absorbed]
                finding.absorbed = []
                kept.remove(finding)
        return kept


def _replaced_alike(root: tuple, roots: list) -> list:
    """The other roots that, as `root` does, replace one exception type at its boundary (3.9's
    ValueError beyond the top-level package: an ImportError where it propagates, nothing where a
    guard catches that ImportError)."""
    return [other for other in roots if other != root and root[1] == other[1] == "raises" and other[:3] == root[:3]]
