"""nox -s hooks's summary: reports/hooks/README.md's rows against what the repros did."""
import json
from pathlib import Path

import noxfile

REPO = Path(__file__).resolve().parents[2]


def test_every_finding_folder_has_a_row_and_every_row_a_folder():
    recorded = noxfile._recorded_versions(REPO / "reports" / "hooks" / "README.md")
    folders = {p.parent.name for p in (REPO / "reports" / "hooks").glob("*/repro.py")}
    assert len(folders) >= 12 and set(recorded) == folders
    assert all(recorded.values()), recorded  # each row names where it reproduces


def test_a_row_that_disagrees_with_the_run_is_named(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("| folder | library | what | stdlib | reproduces on | upstream |\n| --- | --- | --- | --- | --- | --- |\n"
                      "| `a-bug/` | lib 1 | x | y | CPython 3.11.7, 3.12.1 | none |\n"
                      "| `old-bug/` | lib 1 | x | y | CPython 3.11.7 (needs imp: 3.11 and older) | none |\n"
                      "| `gone/` | lib 1 | x | y | CPython 3.13.0 | none |\n")
    recorded = noxfile._recorded_versions(readme)
    assert recorded == {"a-bug": {"3.11", "3.12"}, "old-bug": {"3.11"}, "gone": {"3.13"}}
    (tmp_path / "lib.check.json").write_text(json.dumps({"passed": 390, "failed": 5, "errors": []}))
    (tmp_path / "lib.fuzz.json").write_text(json.dumps({"divergences": [{}, {}]}))
    agreeing = {"a-bug": "reproduces", "old-bug": "not applicable: needs imp"}
    summary, disagreements = noxfile._hooks_summary(tmp_path, "3.12.1", {"other": "ImportError"}, agreeing,
                                                    {k: v for k, v in recorded.items() if k != "gone"})
    assert disagreements == [] and "| lib | 390 | 5 | 0 | 2 |" in summary and "other | not applicable" in summary
    summary, _ = noxfile._hooks_summary(tmp_path, "3.8.18", {}, {"a-bug": "reproduces"}, {"a-bug": {"3.11", "3.8"}})
    assert "| a-bug | reproduces | 3.8, 3.11 |" in summary  # versions in order, not as strings
    wrong = {"a-bug": "does not reproduce", "old-bug": "reproduces", "new-bug": "reproduces"}
    _, disagreements = noxfile._hooks_summary(tmp_path, "3.12.1", {}, wrong, recorded)
    assert disagreements == ["a-bug does not reproduce on 3.12.1", "new-bug has no row",
                             "old-bug reproduces on 3.12.1", "row gone has no repro.py"]
