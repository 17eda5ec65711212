"""Invariant findings end to end: a hook that breaks `spec-loader` and declares the field that
would show it an intended difference is still reported, by the promise's name, in check and in
fuzz (one finding, whose root is the promise)."""
import json

import pytest

from tests.conftest import TARGETS

pytestmark = pytest.mark.slow
SWAPS = TARGETS / "hook_swaps_spec_loader.py"


@pytest.mark.parametrize("version", ["3.8", "3.13"])
def test_check_reports_the_broken_promise_by_name(cli, tmp_path, version):
    report = tmp_path / "r.json"
    result = cli("check", "--target", SWAPS, "--python", version, "--json", report)
    assert result.code == 1
    assert "breaks spec-loader: module.__spec__.loader is module.__loader__" in result.out
    data = json.loads(report.read_text())
    assert data["failed"] > 50 and data["ignored_differences"] > 0  # the hidden field was set aside...
    for divergence in data["divergences"]:  # ...and the promise is what fails
        assert {d["path"].split(".")[-1] for d in divergence["differences"]} == {"invariants"}, divergence["case"]["id"]
        for difference in divergence["differences"]:  # what the case breaks itself is on both sides
            kept = difference["reference"] if difference["reference"] != "<absent>" else []
            assert [name for name in difference["target"] if name not in kept] == ["spec-loader"]


def test_fuzz_reports_one_finding_whose_root_is_the_promise(cli, tmp_path):
    report = tmp_path / "r.json"
    result = cli("fuzz", "--target", SWAPS, "--python", "3.12", "--examples", "300", "--seed", "1",
                 "--out", tmp_path / "out", "--json", report)
    assert result.code == 1
    (finding,) = json.loads(report.read_text())["divergences"]
    assert finding["root"] == ["breaks", ["spec-loader"]]
    assert "which breaks spec-loader (module.__spec__.loader is module.__loader__)" in finding["title"]
