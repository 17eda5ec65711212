"""The reference implementation's pieces, in-process: profiles, cache paths, loaders, namespace
paths. (Its behaviour as a whole is checked against CPython by the catalogue, tests/slow/test_impl.py.)"""
import os
import sys
import types

import pytest

from conformance import impl
from conformance.impl import _pathfinder
from conformance.impl._bytecode import cache_path
from conformance.impl._loaders import NamespaceLoader, SourceFileLoader
from conformance.impl._pathfinder import FileFinder, NamespacePath, PathFinder
from conformance.impl._profile import PROFILES, profile_for


def test_profiles_cover_3_8_to_3_15():
    assert sorted(PROFILES) == [(3, minor) for minor in range(8, 16)]
    assert profile_for((3, 14)).load_module_fallback and not profile_for((3, 15)).load_module_fallback
    assert [profile_for((3, m)).none_left_by_parent for m in (13, 14, 15)] == ["returned", "imported", "halts"]
    assert profile_for((3, 8)).beyond_top_level_error is ValueError
    assert profile_for((3, 9)).beyond_top_level_error is ImportError
    assert profile_for((3, 11)).has_find_loader and not profile_for((3, 12)).has_find_loader


def test_unknown_versions_use_the_nearest_profile():
    newer = profile_for((3, 20))
    assert newer.version == (3, 20) and newer.package_spec_mismatch_category is DeprecationWarning
    older = profile_for((3, 5))
    assert older.beyond_top_level_error is ValueError


def test_use_version_adds_and_removes_find_loader():
    try:
        impl.use_version("3.12")
        assert not hasattr(impl, "find_loader") and "find_loader" not in impl.__all__
        impl.use_version((3, 8))
        assert callable(impl.find_loader) and "find_loader" in impl.__all__
    finally:
        impl.use_version()


def test_cache_path(monkeypatch):
    tag = sys.implementation.cache_tag
    assert cache_path("/a/b/mod.py") == "/a/b/__pycache__/mod.%s.pyc" % tag
    monkeypatch.setattr(sys, "pycache_prefix", "/prefix")
    assert cache_path("/a/b/mod.py") == "/prefix/a/b/mod.%s.pyc" % tag
    monkeypatch.setattr(sys, "pycache_prefix", None)
    monkeypatch.setattr(sys.implementation, "cache_tag", None)
    assert cache_path("/a/b/mod.py") is None


def test_source_loader(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("x = 1\n")
    loader = SourceFileLoader("m", str(source))
    assert loader.get_filename() == str(source) and loader.get_source() == "x = 1\n"
    assert not loader.is_package("m")
    with pytest.raises(ImportError, match="loader for m cannot handle n"):
        loader.get_code("n")
    module = types.ModuleType("m")
    loader.exec_module(module)
    assert module.x == 1 and loader.create_module(None) is None


def test_namespace_loader_and_path(tmp_path, monkeypatch):
    (tmp_path / "r1" / "ns").mkdir(parents=True)
    monkeypatch.setattr(sys, "path", [str(tmp_path / "r1")])
    calls = []

    def finder(name, parent_path):
        calls.append(parent_path)
        return None  # the portions are gone

    path = NamespacePath("ns", [str(tmp_path / "r1" / "ns")], finder)
    loader = NamespaceLoader(path)
    assert loader.is_package("ns") and loader.get_source("ns") == "" and loader.create_module(None) is None
    loader.exec_module(types.ModuleType("ns"))
    assert loader.get_code("ns").co_filename == "<string>"
    sys.path.append(str(tmp_path / "r2"))
    assert list(path) == [str(tmp_path / "r1" / "ns")]  # recomputed, nothing found: kept
    assert calls == [(str(tmp_path / "r1"), str(tmp_path / "r2"))]
    assert repr(path) == "_NamespacePath(%r)" % ([str(tmp_path / "r1" / "ns")],)


def test_file_finder_on_a_vanished_directory(tmp_path):
    directory = tmp_path / "gone"
    directory.mkdir()
    finder = FileFinder.path_hook(str(directory))
    directory.rmdir()
    assert finder.find_spec("anything") is None
    with pytest.raises(ImportError, match="only directories"):
        FileFinder.path_hook(str(directory))


def test_file_finder_finds_extension_modules(tmp_path):
    suffix = _pathfinder._EXTENSION_SUFFIXES[0]
    (tmp_path / ("ext" + suffix)).write_bytes(b"")
    spec = FileFinder.path_hook(str(tmp_path)).find_spec("ext")
    assert type(spec.loader).__name__ == "ExtensionFileLoader" and spec.cached is None


def test_empty_entry_without_working_directory(tmp_path, monkeypatch):
    def missing():
        raise FileNotFoundError

    monkeypatch.setattr(os, "getcwd", missing)
    assert PathFinder._finder_for("") is None


def test_metadata_invalidation_on_both_method_kinds(monkeypatch):
    import importlib.metadata as metadata

    seen = []

    class Plain:
        def invalidate_caches(cls):
            seen.append(cls)

    class WithClassmethod:
        @classmethod
        def invalidate_caches(cls):
            seen.append(cls)

    class Without:
        pass

    for finder in (Plain, WithClassmethod, Without):
        monkeypatch.setattr(metadata, "MetadataPathFinder", finder)
        _pathfinder._invalidate_metadata()
    assert seen == [Plain, WithClassmethod]
