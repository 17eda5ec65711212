"""pytest plugin (entry point `pytest11`): the catalogue as pytest items, so that a CI that speaks
pytest gets `--junitxml`, `-k`, `--lf` and pytest-xdist's `-n` / `--tx` for free.

    pytest --conformance-target T --conformance-python X [--conformance-python Y]
           [--conformance-reference R] [--conformance-expectations FILE] [--conformance-cases PATH]
           [--conformance-fuzz-seconds S --conformance-out DIR --conformance-seed N]

With --conformance-target, pytest collects one item per case and interpreter (id
`interpreter::case_id`, the interpreter's label with `-` for the space) and nothing else; cases
an expectation file lists are strict xfails (a listed case that passes fails the run, and one
that fails in other fields than listed fails it too). With --conformance-fuzz-seconds, each
xdist worker (or the one process) also runs a fuzz shard with a seed of its own; findings land
in one directory, and the controller writes `findings.json` there, grouped by root cause.
Workers send their shards' findings to the controller, which writes them (so with gateways on
several machines they still land in one directory). Without --conformance-target the plugin
does nothing.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from conformance._files import write_directory, write_text
from conformance._targets import fuzzing_reference, live_sides

__all__: list[str] = []


class ExpectedFailure(Exception):
    """A case failed as its expectation entry says (the xfail's `raises`)."""


class Divergent(Exception):
    """A case diverged where nothing expected it to; the message is the divergence block."""


def pytest_addoption(parser):
    group = parser.getgroup("conformance", "importlib-conformance: the catalogue as pytest items")
    group.addoption("--conformance-target", metavar="SPEC",
                    help="stdlib, builtin, impl, a module or a .py file: turns the plugin on")
    group.addoption("--conformance-reference", default="stdlib", metavar="SPEC",
                    help="like the target, or expected / expected:3.N (default stdlib)")
    group.addoption("--conformance-python", action="append", default=[], metavar="EXE",
                    help="interpreter under test (path, command, or 3.N); repeatable; default: all found")
    group.addoption("--conformance-cases", action="append", default=[], metavar="PATH",
                    help="case file or directory; repeatable; default: the catalogue")
    group.addoption("--conformance-expectations", metavar="FILE",
                    help="expected outcomes (strict xfails): a file, or the name of one shipped with the tool (pypy3.9)")
    group.addoption("--conformance-timeout", type=float, default=5.0, metavar="SECONDS",
                    help="seconds per run (default 5)")
    group.addoption("--conformance-fuzz-seconds", type=float, default=None, metavar="S",
                    help="also fuzz S seconds per xdist worker (a shard each, its own seed)")
    group.addoption("--conformance-seed", type=int, default=0, metavar="N",
                    help="base fuzz seed; shard K uses N + K (default 0)")
    group.addoption("--conformance-out", default="conformance-findings", metavar="DIR",
                    help="where fuzz findings of all shards are written (default %(default)s)")


class _State:
    """What the options resolve to, and one pool of workers per interpreter, made on first use."""

    def __init__(self, config):
        from conformance._case import CaseFileError, load_cases
        from conformance._options import UsageError, expectations_for, interpreters_for, target_spec
        from conformance._expectations import ExpectationError
        from conformance._interpreters import InterpreterError

        option = config.option
        try:
            self.target = target_spec("--conformance-target", option.conformance_target)
            self.reference = target_spec("--conformance-reference", option.conformance_reference, allow_recorded=True)
            self.cases = load_cases(option.conformance_cases or None)
            self.interpreters = interpreters_for(option.conformance_python or None, progress=False)
            self.expectations = expectations_for(option.conformance_expectations, self.cases)
        except (UsageError, CaseFileError, InterpreterError, ExpectationError) as error:
            raise pytest.UsageError(str(error))
        self.timeout = option.conformance_timeout
        self.fuzz_seconds = option.conformance_fuzz_seconds
        self.seed = option.conformance_seed
        self.out = Path(option.conformance_out).absolute()
        worker = getattr(config, "workerinput", None)
        self.shards = int(worker["workercount"]) if worker else 1
        self.controller = worker is None
        self._pools: dict = {}

    @property
    def live(self) -> list[str]:
        return live_sides(self.target, self.reference)

    def pool(self, interpreter):
        from conformance._pool import Pool

        if interpreter not in self._pools:
            pool = Pool(interpreter, 1, targets=self.live)
            self._pools[interpreter] = (pool, pool.ignore_rules(self.live))
        return self._pools[interpreter]

    def close(self) -> None:
        for pool, _ in self._pools.values():
            pool.close()
        self._pools.clear()


def pytest_configure(config):
    if config.getoption("conformance_target", None):
        config._conformance = _State(config)


def pytest_unconfigure(config):
    state = getattr(config, "_conformance", None)
    if state is not None:
        state.close()


def pytest_ignore_collect(collection_path, config):
    """With a target, the conformance items are the whole run."""
    return True if getattr(config, "_conformance", None) else None


@pytest.hookimpl(tryfirst=True)  # before -k, -m and --lf look at the items
def pytest_collection_modifyitems(session, config, items):
    state = getattr(config, "_conformance", None)
    if state is None:
        return
    from conformance._features import features_of

    for interpreter in state.interpreters:
        name = interpreter.label.replace(" ", "-")
        for case in state.cases:
            item = CaseItem.from_parent(session, name="%s::%s" % (name, case.id), nodeid="%s::%s" % (name, case.id),
                                        path=Path(case.source) if case.source else session.path)
            item.case, item.interpreter = case, interpreter
            entry = (state.expectations.entry_for(case.id, interpreter.label, features_of(case.data))
                     if state.expectations else None)
            if entry is not None and entry.status == "skip":
                item.add_marker(pytest.mark.skip(reason=entry.reason))
            elif entry is not None:
                item.add_marker(pytest.mark.xfail(reason="%s (%s:%d)" % (entry.reason, state.expectations.path,
                                                                      entry.line),
                                                  raises=ExpectedFailure, strict=True))
            items.append(item)
    if state.fuzz_seconds:
        for shard in range(state.shards):
            items.append(FuzzItem.from_parent(session, name="fuzz::shard-%d" % shard,
                                              nodeid="fuzz::shard-%d" % shard))
            items[-1].shard = shard


class CaseItem(pytest.Item):
    """One case on one interpreter: target and reference run, compared, judged."""

    def runtest(self):
        from conformance._check import verdict_of
        from conformance._expectations import assess
        from conformance._report import divergence_block

        state = self.config._conformance
        pool, rules = state.pool(self.interpreter)
        verdict = verdict_of(self.case, self.interpreter, state.target, state.reference, pool, state.timeout, rules)
        assessment = assess(verdict, state.expectations)
        if assessment.kind == "expected":
            raise ExpectedFailure(assessment.message)
        if verdict.status in ("skipped", "unsupported"):
            pytest.skip("%s%s" % (verdict.status, ": " + verdict.note if verdict.note else ""))
        if verdict.status == "error":
            raise Divergent("error: %s" % verdict.note)
        if verdict.status == "failed":
            block = divergence_block(verdict.divergence, self.case, state.target, state.reference)
            raise Divergent(block + ("\n  " + assessment.message if assessment.entry else ""))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, (Divergent, ExpectedFailure)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, "%s on %s" % (self.case.id, self.interpreter.label)


class FuzzItem(pytest.Item):
    """A fuzz shard: a campaign of its own seed; fails if it found anything not expected."""

    def runtest(self):
        from conformance._fuzz import Campaign
        from conformance.reports import write_finding

        state = self.config._conformance
        reference = fuzzing_reference(state.reference)
        jobs = max(1, (os.cpu_count() or 1) // state.shards)
        campaign = Campaign(state.interpreters, state.target, reference, jobs=jobs,
                            seed=state.seed + self.shard, timeout=state.timeout,
                            expectations=state.expectations)
        findings = campaign.run(seconds=state.fuzz_seconds)
        # a worker (maybe on another machine) sends its findings to the controller, which
        # writes them: so the findings of every shard land in one directory
        local = state.out if state.controller else Path(tempfile.mkdtemp(prefix="conformance-shard-"))
        records = []
        for finding in findings:
            where = write_finding(finding, local, state.target, reference)
            records.append({"slug": finding.slug, "signature": [str(p) for p in finding.signature],
                            "root": [str(p) for p in finding.root], "written": str(state.out / finding.slug),
                            "absorbed": [{"signature": [str(p) for p in a.signature], "case": a.case}
                                         for a in finding.absorbed],
                            "files": {path.name: path.read_text(encoding="utf-8") for path in where.iterdir()}})
        shard = {"shard": self.shard, "seed": state.seed + self.shard, "cases": campaign.cases_run,
                 "expected_divergences": campaign.judge.expected_divergences, "findings": records}
        if state.controller:
            _write_shard(state.out, shard)
        else:
            self.config.workeroutput.setdefault("conformance_shards", []).append(shard)
            shutil.rmtree(local, ignore_errors=True)
        if findings:
            raise Divergent("shard %d (seed %d): %d findings in %s: %s" % (
                self.shard, state.seed + self.shard, len(findings), state.out,
                ", ".join(r["slug"] for r in records)))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, Divergent):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, self.nodeid


def _write_shard(out: Path, shard: dict) -> None:
    """A shard's findings (their files) and its summary (`shard-K.json`) under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    for record in shard["findings"]:
        write_directory(out / record["slug"], record["files"])
    summary = dict(shard, findings=[{k: v for k, v in r.items() if k != "files"} for r in shard["findings"]])
    write_text(out / ("shard-%d.json" % shard["shard"]), json.dumps(summary, indent=1) + "\n")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist, on the controller: a worker is done; write the shards it ran."""
    state = getattr(node.config, "_conformance", None)
    if state is not None:
        for shard in getattr(node, "workeroutput", {}).get("conformance_shards", []):
            _write_shard(state.out, shard)


def pytest_sessionfinish(session):
    """On the controller (or the only process): the shards' findings, grouped by root cause."""
    state = getattr(session.config, "_conformance", None)
    if state is None or not state.fuzz_seconds or not state.controller or not state.out.is_dir():
        return
    groups: dict[str, dict] = {}
    shards = sorted(state.out.glob("shard-*.json"))
    for path in shards:
        data = json.loads(path.read_text())
        for record in data["findings"]:
            group = groups.setdefault(json.dumps(record["root"]), {"root": record["root"], "findings": []})
            group["findings"].append(dict(record, shard=data["shard"], seed=data["seed"]))
    write_text(state.out / "findings.json", json.dumps({
        "shards": len(shards), "groups": list(groups.values())}, indent=1) + "\n")
