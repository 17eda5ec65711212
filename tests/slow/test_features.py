"""Intended differences by what a case does, end to end: a hook whose view of a project is fixed
at install time fails a case that writes a module after install; declared out of contract by the
case feature `files-changed` (in the target, or with --ignore), that case is set aside and
counted, while a case that changes no file is still compared."""
import json

import pytest

from tests.conftest import TARGETS, case_file

pytestmark = pytest.mark.slow
LATE = {"id": "late.module", "description": "a module written after install", "refs": ["import_module.1"],
        "files": {"r0/a.py": []}, "sys_path": ["r0"],
        "steps": [{"op": "write", "path": "r0/new.py", "source": ["x = 1"]}, {"op": "invalidate_caches"},
                  {"op": "import_module", "name": "new"}]}
EARLY = {"id": "early.module", "description": "a module there at install", "refs": ["import_module.1"],
         "files": {"r0/a.py": []}, "sys_path": ["r0"], "steps": [{"op": "import_module", "name": "a"}]}


@pytest.mark.parametrize("target, options", [
    ("hook_fixed_at_install_declared.py", []),
    ("hook_fixed_at_install.py", ["--ignore", "feature:files-changed"]),
], ids=["declared", "given"])
def test_a_case_feature_declared_out_of_contract_is_set_aside(cli, tmp_path, target, options):
    cases, report = case_file(tmp_path, LATE, EARLY), tmp_path / "r.json"
    undeclared = cli("check", "--target", TARGETS / "hook_fixed_at_install.py", "--python", "3.12", "--cases", cases)
    assert undeclared.code == 1 and "DIVERGENCE late.module" in undeclared.out
    result = cli("check", "--target", TARGETS / target, "--python", "3.12", "--cases", cases, "--json", report,
                 *options)
    assert result.code == 0 and "ignored in 1 case)" in result.out
    data = json.loads(report.read_text())
    assert {entry["case"] for entry in data["ignored"]} == {"late.module"}
    assert {entry["pattern"] for entry in data["ignored"]} == {"feature:files-changed"}
