"""The case tree: fixed mtimes, and edits that keep or move the directory mtime."""
import os
import sys

import pytest

from conformance._worker.contents import BASE_MTIME, describe_bytecode, pyc_bytes, source_text
from conformance._worker.tree import Tree


def _mtime(path):
    return os.stat(path).st_mtime


def test_materialise_sets_fixed_mtimes(tmp_path):
    tree = Tree(str(tmp_path))
    tree.materialise({"pkg/__init__.py": "", "pkg/m.py": ["a = 1", "b = 2"]}, dirs=["empty"])
    for path in (tmp_path, tmp_path / "pkg", tmp_path / "pkg" / "m.py", tmp_path / "empty"):
        assert _mtime(path) == BASE_MTIME
    assert (tmp_path / "pkg" / "m.py").read_text() == "a = 1\nb = 2\n"


def test_write_keeping_mtime_leaves_directory_time(tmp_path):
    tree = Tree(str(tmp_path))
    tree.materialise({"pkg/__init__.py": ""})
    tree.write("pkg/new.py", "x = 1", keep_mtime=True)
    assert _mtime(tmp_path / "pkg") == BASE_MTIME
    tree.write("pkg/other.py", "x = 1")
    assert _mtime(tmp_path / "pkg") > BASE_MTIME


def test_each_edit_gets_a_distinct_time(tmp_path):
    tree = Tree(str(tmp_path))
    tree.materialise({"a/x.py": "", "b/y.py": ""})
    tree.write("a/z.py", "")
    tree.delete("b/y.py")
    assert _mtime(tmp_path / "a") != _mtime(tmp_path / "b")


def test_write_into_new_directory_keeping_mtime(tmp_path):
    tree = Tree(str(tmp_path))
    tree.materialise({"x.py": ""})
    tree.write("newpkg/__init__.py", "", keep_mtime=True)
    assert _mtime(tmp_path) == BASE_MTIME


def test_paths_cannot_leave_the_case_directory(tmp_path):
    with pytest.raises(ValueError):
        Tree(str(tmp_path / "case")).path("../outside.py")


def test_source_text():
    assert source_text(["a", "b"]) == "a\nb\n"
    assert source_text("a") == "a"


def test_a_hash_based_cache_says_whether_it_holds_its_sources_hash(tmp_path, monkeypatch):
    """describe_bytecode: a recache that wrote stale bytes shows as another source's hash; what a
    target does to importlib.util (hy puts .hy first among the source suffixes) changes nothing."""
    import importlib.util

    made = {kind: pyc_bytes({"source": source, "invalidation": kind}, str(tmp_path / "mod.py"), BASE_MTIME)
            for kind, source in (("checked-hash", "x = 2\n"), ("unchecked-hash", "x = 1\n"))}
    monkeypatch.setattr(importlib.util, "source_from_cache", lambda path: path + ".hy")
    monkeypatch.setattr(importlib.util, "source_hash", lambda data: b"12345678")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "mod.py").write_text("x = 2\n")
    cache = tmp_path / "__pycache__" / ("mod.%s.pyc" % sys.implementation.cache_tag)
    for kind, expected in (("checked-hash", "source hash"), ("unchecked-hash", "another source's hash")):
        cache.write_bytes(made[kind])
        assert describe_bytecode(str(tmp_path), BASE_MTIME, str) == [[str(cache), kind, expected]]
    cache.rename(tmp_path / "sourceless.pyc")  # no source beside it: its kind alone
    assert describe_bytecode(str(tmp_path), BASE_MTIME, str) == [[str(tmp_path / "sourceless.pyc"), "unchecked-hash"]]


def test_read_only_files_lose_write_permission_and_their_caches_say_so(tmp_path):
    """materialise(read_only=...): those files become 0o444 at the base mtime (a path not among
    the files, as a reduced case may leave, is passed over); describe_bytecode marks a cache its
    owner may not write, and only such a cache."""
    tree = Tree(str(tmp_path))
    pyc = {"pyc": {"source": "x = 1"}}
    tree.materialise({"m.py": "x = 1", "locked.pyc": pyc, "open.pyc": pyc},
                     read_only=["m.py", "locked.pyc", "gone.py"])
    assert os.stat(tmp_path / "m.py").st_mode & 0o777 == 0o444
    assert _mtime(tmp_path / "m.py") == _mtime(tmp_path) == BASE_MTIME
    described = describe_bytecode(str(tmp_path), BASE_MTIME, os.path.basename)
    assert [entry[0] for entry in described if entry[-1] == "read-only"] == ["locked.pyc"]
    assert len(described) == 2
