"""MicroPython (its WebAssembly port under Node, with a small worker of its own): the part of the
catalogue it can express runs, compared with CPython's newest recordings; what it has not by
design is its profile, set aside; the rest are its findings (docs/runtimes.md)."""
import json

import pytest

from conformance._interpreters import resolve
from conformance._protocol import Worker

pytestmark = pytest.mark.slow


def test_the_expressible_catalogue_runs_and_the_findings_are_the_known_ones(cli, tmp_path):
    report = tmp_path / "r.json"
    result = cli("check", "--target", "stdlib", "--reference", "expected", "--python", "micropython",
                 "--json", report)
    assert result.code == 1
    data = json.loads(report.read_text())
    verdicts = {v["case"]: v for v in data["verdicts"]}
    assert data["unsupported"] > 100 and data["passed"] >= 7  # import_module, reload... are not MicroPython's
    assert verdicts["dunder_import.fromlist_returns_leaf"]["status"] == "passed"
    assert verdicts["import_module.absolute.top_level"]["status"] == "unsupported"
    # the profile: specs, loaders, warnings... are set aside, with MicroPython's reason
    assert any(rule["pattern"] == "steps[*].result.__spec__*" and "MicroPython" in rule["reason"]
               for rule in data["ignore_rules"])
    fields = {v["case"]: v.get("fields", []) for v in data["verdicts"] if v["status"] == "failed"}
    # findings (docs/runtimes.md): __import__ without fromlist returns the named module, not the top-level
    # package; a fromlist does not import submodules; ImportError for a missing module
    assert "steps[0].result.__name__" in fields["dunder_import.returns_top_level"]
    assert "steps[0].executed" in fields["fromlist.submodule"]
    assert "steps[0].exception.type" in fields["dunder_import.name.leading_dot_level0"]


def test_its_shipped_expectation_file_expects_exactly_those(cli):
    result = cli("check", "--target", "stdlib", "--reference", "expected", "--python", "micropython",
                 "--expectations", "micropython")
    assert result.code == 0 and "24 expected failures" in result.out, result.out[-2000:]


def test_a_case_it_cannot_express_is_unsupported_and_the_state_is_put_back():
    interpreter = resolve("micropython")
    case = {"id": "a", "files": {"m.py": ["__executed__(__name__)", "x = 1"]},
            "steps": [{"op": "__import__", "name": "m"}]}
    with Worker(interpreter) as worker:
        assert worker.hello["runtime"].startswith("micropython ") and worker.hello["isolation"] == "inprocess"
        (first,) = worker.run(case, ["stdlib"], 5.0)
        (unsupported,) = worker.run({"id": "b", "steps": [{"op": "import_module", "name": "m"}]}, ["stdlib"], 5.0)
        (again,) = worker.run(case, ["stdlib"], 5.0)  # m imported afresh: sys.modules was put back
    assert first["outcome"] == "ok" and first["steps"][0]["executed"] == ["m"]
    assert unsupported["outcome"] == "unsupported"
    assert again["steps"] == first["steps"]
