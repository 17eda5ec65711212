"""Case features: what a case does, read off its data, and the intended differences and
expectation entries that name them (`feature:NAME`), in check's comparison, fuzz's judge and
expectation files; unknown names are one-line errors."""
import pytest

from conformance import _pool
from conformance._compare import IgnoreRule, compare
from conformance._expectations import ExpectationError, load_expectations
from conformance._features import FEATURES, features_of
from conformance._fuzz import Campaign
from conformance._interpreters import Interpreter
from conformance._options import UsageError, ignore_rules
from tests.cover.test_ignore_rules import RuntimeWorker

WRITES = {"id": "w", "files": {"r0/a.py": []}, "sys_path": ["r0"],
          "steps": [{"op": "write", "path": "r0/b.py", "source": []}, {"op": "import_module", "name": "b"}]}


def _run(answer):
    return {"outcome": "ok", "detail": None, "steps": [], "final": {"answer": answer}}


def test_features_are_read_off_the_case():
    assert features_of(WRITES) == {"files-changed"}
    assert features_of({"steps": [{"op": "__import__", "name": "a", "level": 1}]}) == {"relative-name"}
    assert features_of({"steps": [{"op": "import_module", "name": "2d"}]}) == {"odd-name"}
    legacy = {"meta_path": [{"finder": "legacy_serving", "modules": {}}], "steps": [{"op": "reload", "module": "a"}]}
    assert features_of(legacy) == {"meta-path-finder", "legacy-finder", "reload"}
    zipped = {"files": {"r0.zip": {"zip": {"ns/m.py": []}}}, "sys_path": ["r0.zip"], "steps": []}
    assert features_of(zipped) == {"zip-archive", "namespace-package"}
    package = {"files": {"r0/p/__init__.py": [], "r0/p/m.py": []}, "sys_path": ["r0"], "steps": []}
    assert features_of(package) == frozenset()
    assert all(description for description, _ in FEATURES.values())


def test_a_feature_rule_sets_aside_every_difference_of_a_case_that_has_it():
    rule = IgnoreRule("feature:files-changed", "fixed at install")
    verdict = compare("w", "x", _run(1), _run(2), [rule], features_of(WRITES))
    assert verdict.status == "passed" and [d.path for d, _ in verdict.ignored] == ["final.answer"]
    assert compare("v", "x", _run(1), _run(2), [rule], frozenset({"reload"})).status == "failed"


def test_unknown_features_are_one_line_errors(tmp_path):
    with pytest.raises(UsageError, match="--ignore: unknown case feature 'files-changd'"):
        ignore_rules(["feature:files-changd"])
    path = tmp_path / "e.toml"
    path.write_text('[[expect]]\nstatus = "fail"\nfeatures = ["relative-nam"]\nreason = "r"\n')
    with pytest.raises(ExpectationError, match=r"e.toml:3: features: unknown case feature 'relative-nam'"):
        load_expectations(path)


def test_an_expectation_entry_covers_the_cases_that_do_what_it_says(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text('[[expect]]\nstatus = "fail"\nfeatures = ["files-changed"]\nfields = ["final.*"]\n'
                    'reason = "out of contract: the project changes after install"\n')
    expectations = load_expectations(path)
    assert expectations.assess(compare("w", "x", _run(1), _run(2), (), features_of(WRITES))).kind == "expected"
    assert expectations.assess(compare("v", "x", _run(1), _run(2), (), frozenset())).kind == "unexpected"


class _DifferingWorker(RuntimeWorker):
    """test_ignore_rules's fake runtime without its profile: the target always answers otherwise."""

    hello = {"op": "hello"}


def test_fuzz_sets_aside_the_cases_a_feature_rule_names(monkeypatch, tmp_path):
    monkeypatch.setattr(_pool, "Worker", _DifferingWorker)
    interpreter = Interpreter("/fake/python", "cpython", (3, 12, 0))
    campaign = Campaign([interpreter], "builtin", "stdlib", jobs=1, seed=1, cache=tmp_path,
                        ignore=[IgnoreRule("feature:files-changed", "fixed at install")])
    findings = campaign.run(examples=100)
    assert campaign.judge.ignored_cases > 0  # generated cases that change files: set aside
    assert findings and all("files-changed" not in features_of(f.case) for f in findings)


def test_the_docs_list_every_feature():
    import re

    from tests.conftest import REPO

    text = (REPO / "docs" / "targets.md").read_text(encoding="utf-8")
    table = text.split("The\nfeatures:")[1].split("An unknown feature")[0]
    assert re.findall(r"^\| `([a-z-]+)` \|", table, re.M) == list(FEATURES)
