"""Invariants: the worker's checks of the import system's promises, on modules made to break
each one; and the catalogue's recordings break only those docs/invariants.md lists."""
import re
import sys
import types
from importlib.machinery import ModuleSpec

from conformance._case import load_cases
from conformance._worker.invariants import PROMISES, broken_invariants
from tests.conftest import REPO


class _Loader:
    def exec_module(self, module):
        pass


def _module(name, package=None):
    loader = _Loader()
    module = types.ModuleType(name)
    module.__spec__ = ModuleSpec(name, loader, is_package=package is not None)
    module.__loader__, module.__package__ = loader, package if package is not None else name.rpartition(".")[0]
    return module


def test_a_module_as_the_import_system_makes_it_keeps_every_promise(monkeypatch):
    parent, child = _module("pp", package="pp"), _module("pp.cc")
    parent.cc = child
    monkeypatch.setitem(sys.modules, "pp", parent)
    monkeypatch.setitem(sys.modules, "pp.cc", child)
    assert broken_invariants("import_module", "pp.cc", child, {"pp": parent, "pp.cc": child}) == []
    assert broken_invariants("reload", None, child, {}) == []


def test_each_promise_broken_is_named(monkeypatch):
    module = _module("mm")
    module.__loader__ = _Loader()  # another loader than the spec's
    assert broken_invariants("__import__", "mm", module, {}) == ["spec-loader"]
    module = _module("mm")
    module.__name__ = "other"
    module.__package__ = "elsewhere"
    assert broken_invariants("__import__", "mm", None, {"mm": module}) == ["spec-name", "spec-parent"]
    monkeypatch.setitem(sys.modules, "mm", _module("mm"))
    assert broken_invariants("import_module", "mm", _module("mm"), {}) == ["returned-is-cached"]
    parent, child = _module("pp", package="pp"), _module("pp.cc")
    monkeypatch.setitem(sys.modules, "pp", parent)
    monkeypatch.setitem(sys.modules, "pp.cc", child)
    assert broken_invariants("import_module", "pp.cc", child, {"pp.cc": child}) == ["submodule-bound"]
    assert broken_invariants("import_module", "pp.cc", child, {}) == []  # there before the step: not loaded by it
    assert broken_invariants("import_module", "pp.cc", None, {"pp.cc": child}) == []  # a step that raised


def test_the_recordings_break_only_the_promises_docs_list():
    documented = set()
    table = (REPO / "docs" / "invariants.md").read_text(encoding="utf-8").split("## Where the standard library")[1]
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            documented |= {(cells[0].strip("`"), name) for name in re.findall(r"`([\w-]+)`", cells[1])}
    recorded = {(case.id, name) for case in load_cases() for observation in case.recordings
                for step in observation["steps"] for name in step.get("invariants", [])}
    assert len(documented) == 6 and recorded == documented
    assert {name for _, name in documented} <= set(PROMISES)


def test_the_protocol_schema_names_exactly_the_promises():
    import json

    schema = json.loads((REPO / "conformance" / "schemas" / "protocol.schema.json").read_text(encoding="utf-8"))
    names = schema["$defs"]["step_observation"]["properties"]["invariants"]["items"]["enum"]
    assert names == list(PROMISES)
