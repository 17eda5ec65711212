"""Files the tool writes are whole or absent, and a failure to write is one line, exit 2."""
import json
import os

import pytest

from conformance import _files
from conformance._files import WriteError, write_text


def test_a_file_is_written_whole_and_replaces_the_old_one(tmp_path):
    path = tmp_path / "deep" / "report.json"
    write_text(path, "old\n")
    write_text(path, "new\n")
    assert path.read_text() == "new\n" and os.listdir(path.parent) == ["report.json"]
    assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~_files._UMASK)


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "report.json"
    write_text(path, "old\n")

    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(WriteError, match=r"report\.json: cannot write: No space left on device$"):
        write_text(path, "new\n")
    assert path.read_text() == "old\n" and os.listdir(tmp_path) == ["report.json"]


def test_the_cli_says_it_in_one_line_and_exits_2(cli, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps({"format": 1, "cases": [{"id": "c", "steps": [{"op": "invalidate_caches"}]}]}))
    result = cli("check", "--target", "stdlib", "--python", "3.11", "--cases", cases,
                 "--json", blocker / "check.json")
    assert result.code == 2 and "Traceback" not in result.err
    assert result.err.strip().splitlines()[-1].startswith("error: %s" % (blocker / "check.json"))
