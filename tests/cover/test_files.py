"""Files the tool writes are whole or absent, and a failure to write is one line, exit 2."""
import ast
import json
import os
import subprocess

import pytest

from conformance import _files
from conformance._files import WriteError, write_directory, write_text
from tests.conftest import REPO


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


def test_an_existing_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "pypy.toml"
    write_text(path, "old\n")
    path.chmod(0o600)
    write_text(path, "new\n")
    assert path.read_text() == "new\n" and path.stat().st_mode & 0o777 == 0o600


def test_a_directory_is_written_whole_and_replaces_the_old_one(tmp_path):
    where = tmp_path / "findings" / "slug"
    write_directory(where, {"case.json": "old", "finding.py": "old"})
    write_directory(where, {"case.json": "new", "repro.py": "new"})
    assert sorted(os.listdir(where)) == ["case.json", "repro.py"]  # nothing of the old one left
    assert os.listdir(where.parent) == ["slug"]  # no temporary, nothing set aside


def test_a_failed_directory_write_leaves_the_old_directory(tmp_path, monkeypatch):
    where = tmp_path / "slug"
    write_directory(where, {"case.json": "old"})

    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(WriteError, match=r"slug.*: cannot write: No space left on device$"):
        write_directory(where, {"case.json": "new", "repro.py": "new"})
    assert os.listdir(where) == ["case.json"] and (where / "case.json").read_text() == "old"
    assert os.listdir(tmp_path) == ["slug"]


def _write_many(where, label, times):
    for number in range(times):
        write_directory(where, {"%s-%d.txt" % (label, part): label * 1000 for part in range(5)})


def test_two_writers_of_one_directory_at_once_leave_one_whole(tmp_path):
    import multiprocessing
    where = tmp_path / "slug"
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_write_many, args=(where, label, 200)) for label in "ab"]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(120)
        assert writer.exitcode == 0
    names = sorted(os.listdir(where))
    label = names[0][0]
    assert names == ["%s-%d.txt" % (label, part) for part in range(5)]  # one writer's files, all of them
    assert all((where / name).read_text() == label * 1000 for name in names)
    assert os.listdir(tmp_path) == ["slug"]


def test_a_mode_given_is_the_new_files_mode(tmp_path):
    path = tmp_path / "launcher"
    write_text(path, "#!/bin/sh\n", 0o755)
    assert oct(path.stat().st_mode & 0o777) == oct(0o755)


# What runs in the interpreter under test (the worker, its launchers, impl, the repro scripts'
# prelude, test_importlib's runner) writes the files of a case or of the import system, not the
# tool's outputs: those are left out.
_NOT_HOST = ("conformance/_worker/", "conformance/_launchers/", "impl/", "reports/_prelude.py", "reports/hooks/",
             "benchmarks/_test_importlib_run.py", "hooks/", "tests/")
_WRITE_MODES = set("wax+")
# writes that hold nothing anyone keeps, each with its reason
_ALLOWED = {("benchmarks/importlib_mutants.py", "copytree"): "copies of importlib's source in a scratch directory",
            ("scripts/debian_interpreters.py", "touch"): "an empty file apt-get wants there"}


def _plain_writes(path):
    """The calls in a module that write a file otherwise than through conformance._files."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        if isinstance(function, ast.Attribute) and name in ("write_text", "write_bytes", "touch") \
                and not (isinstance(function.value, ast.Name) and function.value.id == "_files"):
            found.append((node.lineno, name))  # Path.write_text: in place
        elif name in ("open", "fdopen"):
            mode = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "mode"), None)
            if isinstance(mode, ast.Constant) and _WRITE_MODES & set(str(mode.value)):
                found.append((node.lineno, name))
        elif name in ("dump", "copy", "copyfile", "copy2", "copytree", "move"):
            found.append((node.lineno, name))
    return found


def test_every_file_the_host_writes_goes_through_write_text():
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=REPO, capture_output=True, text=True, check=True)
    sources = [REPO / line for line in tracked.stdout.splitlines()]
    host = [p for p in sources if not str(p.relative_to(REPO)).startswith(_NOT_HOST)]
    assert len(host) > 40 and REPO / "noxfile.py" in host
    plain = {}
    for path in host:
        where = str(path.relative_to(REPO))
        calls = [call for call in _plain_writes(path) if (where, call[1]) not in _ALLOWED]
        if calls and path.name != "_files.py":
            plain[where] = calls
    assert plain == {}, "write these through conformance._files.write_text (atomic): %s" % plain


def test_the_lint_finds_a_plain_write(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from pathlib import Path\nimport json\nPath('a').write_text('x')\n"
                      "with open('b', 'w') as f:\n    json.dump({}, f)\nopen('c')\n")
    assert _plain_writes(module) == [(3, "write_text"), (4, "open"), (5, "dump")]


def test_each_input_cut_short_is_one_line_naming_it(cli, tmp_path, monkeypatch):
    """A case file, a recording, an expectation file and a JSON report given to `matrix`, each cut
    in the middle (a disk that filled, a copy interrupted): one error line naming it, exit 2."""
    catalogue = REPO / "conformance" / "catalogue"
    whole = {"cases.json": (catalogue / "circular.json").read_text(),
             "expected/cases.json": (catalogue / "expected" / "circular.json").read_text(),
             "e.toml": (REPO / "expectations" / "pypy3.9.toml").read_text(),
             "report.json": json.dumps({"format": 1, "cases": 1, "divergences": [], "errors": []})}
    commands = {"cases.json": ["check", "--target", "stdlib", "--python", "3.11", "--cases", "cases.json"],
                "expected/cases.json": ["check", "--target", "stdlib", "--python", "3.11", "--cases", "cases.json",
                                        "--reference", "expected"],
                "e.toml": ["check", "--target", "stdlib", "--python", "3.11", "--cases", "cases.json",
                           "--expectations", "e.toml"],
                "report.json": ["matrix", "report.json", "--html", "m.html"]}
    monkeypatch.chdir(tmp_path)
    for cut, command in commands.items():
        for name, text in whole.items():
            (tmp_path / name).parent.mkdir(exist_ok=True)
            (tmp_path / name).write_text(text[:len(text) // 2] if name == cut else text)
        result = cli(*command)
        lines = result.err.strip().splitlines()
        assert result.code == 2 and "Traceback" not in result.err, (cut, result.err[-2000:])
        assert len(lines) == 1 and lines[0].startswith("error: ") and cut.split("/")[-1] in lines[0], (cut, lines)
