"""The `source` target: importlib run from its .py files is the frozen importlib (a control),
and a patched copy of the directory (`source:DIR`) is what serves the case's imports."""
import shutil
import sysconfig
from pathlib import Path

import pytest

from conformance._case import load_cases
from conformance._check import run_check
from conformance._interpreters import resolve
from tests.conftest import CPYTHONS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def catalogue():
    return load_cases()


def test_source_is_clean_against_the_frozen_copy_on_every_cpython(catalogue):
    interpreters = [resolve(version) for version in CPYTHONS]
    result = run_check(catalogue, interpreters, "source", "stdlib")
    failed = [(v.case_id, v.interpreter) for v in result.verdicts if v.status in ("failed", "error")]
    assert failed == []
    assert result.count("passed") >= 240 * len(interpreters)


def _patched_copy(tmp_path, file, old, new):
    """A copy of the host's importlib directory with one change in one file."""
    copy = tmp_path / "importlib"
    shutil.copytree(Path(sysconfig.get_paths()["stdlib"]) / "importlib", copy)
    text = (copy / file).read_text()
    assert text.count(old) == 1, (file, old)
    (copy / file).write_text(text.replace(old, new))
    return copy


@pytest.mark.parametrize("file, old, new, case", [
    # the copy's import functions run: a parent is no longer bound to its child
    ("_bootstrap.py", "setattr(parent_module, child, module)", "pass", "import_module.absolute.submodule"),
    # the copy's FileFinder hook serves sys.path: it no longer finds .py files
    ("_bootstrap_external.py", "SOURCE_SUFFIXES = ['.py']", "SOURCE_SUFFIXES = ['.pyw']",
     "import_module.absolute.top_level"),
    # the finders a case declares build their specs with the copy's helpers: a loader's
    # get_filename() is no longer asked, or a spec without location no longer says '<unknown>'
    ("_bootstrap.py", "if not origin and hasattr(loader, 'get_filename'):", "if False:",
     "machinery.spec_from_loader.get_filename"),
    ("_bootstrap_external.py", "location = '<unknown>'", "location = '<nowhere>'",
     "machinery.spec_from_loader.get_filename_raises"),
    # a loader a case builds on SourceLoader runs the copy's get_code(): without path_stats() it
    # now meets a name never bound
    ("_bootstrap_external.py", "source_mtime = None", "pass", "machinery.source_loader_subclass"),
    # a case run with -v observes the copy's reports: a module loaded is no longer reported
    ("_bootstrap.py", "_verbose_message('import {!r} # {!r}', spec.name, spec.loader)", "pass", "verbose.modules"),
])
def test_a_patched_copy_serves_the_imports(catalogue, host, tmp_path, file, old, new, case):
    copy = _patched_copy(tmp_path, file, old, new)
    result = run_check(catalogue, [host], "source:%s" % copy, "stdlib")
    failed = {v.case_id for v in result.verdicts if v.status == "failed"}
    assert case in failed
    assert result.count("error") == 0


def test_source_dir_without_bootstrap_exits_2(cli, tmp_path):
    result = cli("check", "--target", "source:%s" % tmp_path, "--python", "3.11")
    assert result.code == 2 and "is not a copy of importlib's directory (no _bootstrap.py)" in result.err


def test_source_on_pypy_is_a_one_line_error(cli):
    result = cli("check", "--target", "source", "--python", "pypy3")
    assert result.code == 2 and "only CPython runs its importlib from a frozen copy" in result.err
    assert result.err.strip().count("\n") == 0
