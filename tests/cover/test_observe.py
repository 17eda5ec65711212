"""Observations: normalisation hides only what a case cannot control."""
import os
import sys
import types

from conformance._worker.observe import Observer


def test_text_normalises_case_dir_stdlib_tag_and_addresses(tmp_path):
    observer = Observer(str(tmp_path))
    tag = sys.implementation.cache_tag
    text = "%s/pkg/__pycache__/m.%s.pyc at 0x7f12abcd34 in %s/os.py" % (
        tmp_path, tag, os.path.dirname(os.__file__))
    assert observer.text(text) == "<case>/pkg/__pycache__/m.<tag>.pyc at 0x? in <stdlib>/os.py"


def test_an_oserrors_errno_number_is_named(tmp_path):
    observer = Observer(str(tmp_path))
    for number in (2, 44):  # ENOENT here; on Pyodide's WebAssembly ENOENT is 44
        error = FileNotFoundError(number, "No such file or directory", str(tmp_path / "m.py"))
        expected = "[Errno %s] No such file or directory: '<case>/m.py'" % __import__("errno").errorcode.get(number, number)
        assert observer.exception(error)["message"] == expected
    assert observer.exception(ValueError("[Errno 2] in a message of its own"))["message"] == "[Errno 2] in a message of its own"


def test_text_keeps_what_cases_control(tmp_path):
    observer = Observer(str(tmp_path))
    for text in ("level 0x1", "No module named 'pkg.mod'", "/elsewhere/pkg.py", "module 42"):
        assert observer.text(text) == text


def test_module_identity_labels_are_stable(tmp_path):
    observer = Observer(str(tmp_path))
    one, two, again = types.ModuleType("one"), types.ModuleType("two"), types.ModuleType("one")
    assert observer.module(two)["id"] == "m:two"  # by role, whatever was seen first
    assert observer.module(one)["id"] == "m:one"
    assert observer.module(again)["id"] == "m:one#2"  # another object of that name
    assert observer.module(one)["id"] == "m:one"


def test_class_names_are_exact_but_the_machinerys(tmp_path):
    import importlib.machinery

    from conformance._worker.observe import class_name

    class _Private:
        pass

    assert class_name(_Private) == "_Private"  # a hook's or a case's class, as it is spelled
    assert class_name(type(importlib.machinery.PathFinder)) == "type"
    machinery = type("_NamespaceLoader", (), {"__module__": "importlib._bootstrap_external"})
    assert class_name(machinery) == "NamespaceLoader"  # implementations spell it either way


def test_module_description_fields(tmp_path):
    observer = Observer(str(tmp_path))
    module = types.ModuleType("pkg")
    module.__path__ = [str(tmp_path / "pkg")]
    desc = observer.module(module)
    assert desc["__path__"] == ["<case>/pkg"]
    assert desc["__file__"] == "<missing>"
    assert desc["__spec__"] is None and desc["__loader__"] is None
    assert desc["in_sys_modules"] == []


def test_exception_fields_and_chain(tmp_path):
    observer = Observer(str(tmp_path))
    try:
        try:
            {}["k"]
        except KeyError:
            raise ModuleNotFoundError("No module named 'x'", name="x")
    except ImportError as exc:
        desc = observer.exception(exc)
    assert desc == {"type": "ModuleNotFoundError", "message": "No module named 'x'", "name": "x",
                    "path": None, "chain": [["context", "KeyError"]]}


def test_suppressed_context_is_not_in_chain(tmp_path):
    try:
        try:
            raise KeyError
        except KeyError:
            raise ValueError("v") from None
    except ValueError as exc:
        assert Observer(str(tmp_path)).exception(exc)["chain"] == []


def test_modules_diff_added_removed_replaced(tmp_path):
    observer = Observer(str(tmp_path))
    a, b, c = (types.ModuleType(n) for n in "abc")
    before = {"a": a, "b": b}
    after = {"a": c, "c": 1}
    diff = observer.modules_diff(before, after)
    assert diff["removed"] == ["b"]
    assert diff["replaced"] == [["a", observer.label(c)]]
    assert diff["added"] == [["c", {"type": "int", "value": 1}]]


def test_values_of_other_types(tmp_path):
    observer = Observer(str(tmp_path))
    assert observer.value(float("nan")) == {"type": "float", "value": "nan"}
    assert observer.value((1, "x"))["items"][1] == {"type": "str", "value": "x"}
    assert observer.value(object())["repr"] == "<object object at 0x?>"


def test_loaders_are_described_by_kind_not_module(tmp_path):
    class SourceFileLoader:
        def exec_module(self, module):
            pass

    observer = Observer(str(tmp_path))
    assert observer.value(SourceFileLoader()) == {"type": "loader", "kind": "SourceFileLoader"}


def test_path_types_are_named_without_their_module(tmp_path):
    class _NamespacePath:
        __module__ = "importlib._bootstrap_external"  # the machinery's: its underscore is dropped
        def __init__(self, items):
            self.items = items

        def __iter__(self):
            return iter(self.items)

    observer = Observer(str(tmp_path))
    assert observer.path_list(_NamespacePath(["a"]))["type"] == "NamespacePath"


def test_final_state_is_the_same_whether_a_library_module_was_imported_before(tmp_path):
    # A hook's library may import _string before the case; a case that re-imports it must
    # observe the same as in a process that never had it: library modules are not listed.
    import importlib

    observer = Observer(str(tmp_path))
    saved = sys.modules.get("_string")
    try:
        sys.modules.pop("_string", None)
        before_absent = dict(sys.modules)
        importlib.import_module("_string")
        absent = observer.final_state(before_absent, dict(sys.path_importer_cache))
        before_present = dict(sys.modules)
        del sys.modules["_string"]
        importlib.import_module("_string")
        replaced = observer.final_state(before_present, dict(sys.path_importer_cache))
        assert "_string" not in absent["modules"] and "_string" not in replaced["modules"]
        case_module = types.ModuleType("_string_of_the_case")  # the case's own module in its place is listed
        case_module.__file__ = str(tmp_path / "_string.py")
        sys.modules["_string"] = case_module
        assert "_string" in observer.final_state(before_present, dict(sys.path_importer_cache))["modules"]
    finally:
        if saved is not None:
            sys.modules["_string"] = saved


def test_module_repr_is_normalised_before_it_is_cut(tmp_path):
    deep = tmp_path / ("d" * 120)  # a long case directory, as pytest's temporary paths are
    observer = Observer(str(deep))
    module = types.ModuleType("ns")
    module.__spec__ = None
    module.__file__ = str(deep / "r1" / "ns" / "a.py")
    assert observer.module(module)["repr"] == "<module 'ns' from '<case>/r1/ns/a.py'>"
    lazy = type("_LazyModule", (types.ModuleType,), {"__module__": "importlib.util"})("lazy")  # a subclass: its repr may read attributes
    assert observer.module(lazy)["repr"] == "<LazyModule instance>"


def test_objects_in_a_module_repr_are_named_by_their_class(tmp_path):
    observer = Observer(str(tmp_path))
    module = types.ModuleType("ns")
    module.__loader__ = type("_NamespaceLoader", (), {"__module__": "importlib._bootstrap_external"})()
    module.__spec__ = None
    assert observer.module(module)["repr"] == "<module 'ns' (<NamespaceLoader object>)>"


def test_the_source_targets_copy_counts_as_machinery():
    from conformance._worker.observe import MACHINERY
    from conformance._worker.source import PACKAGE

    assert PACKAGE in MACHINERY  # its classes are the frozen importlib's, spelled alike


def test_verbose_reports_are_captured_while_a_step_runs_and_normalised(tmp_path, monkeypatch):
    """Messages: what is written on sys.stderr inside it, as lines, paths normalised, a module
    loaded by its name (its loader is its __loader__, observed there), a module freed ("# destroy")
    left out; sys.stderr is given back. verbose.wanted: a case asks, a worker without -v cannot."""
    from conformance._worker import verbose

    observer = Observer(str(tmp_path))
    before = sys.stderr
    with verbose.Messages(observer) as messages:
        print("# code object from %s/m.py" % tmp_path, file=sys.stderr)
        print("import 'm' # <_frozen_importlib_external.SourceFileLoader object at 0x7f00deadbeef>", file=sys.stderr)
        sys.stderr.write("import 'e' # <class '_frozen_importlib.BuiltinImporter'>\n# destroy m\n")
        print("import 'h' # <hook.Loader object at 0x7f00deadbeef>", file=sys.stderr)
        print("import errno # previously loaded ('errno')", file=sys.stderr)
    assert sys.stderr is before
    assert messages.lines() == ["# code object from <case>/m.py", "import 'm'", "import 'e'", "import 'h'",
                                "import errno # previously loaded ('errno')"]
    assert verbose.wanted({}) is False
    monkeypatch.setattr(sys, "flags", type("Flags", (), {"verbose": 0})())
    assert verbose.wanted({"verbose": True}) is None
    monkeypatch.setattr(sys, "flags", type("Flags", (), {"verbose": 1})())
    assert verbose.wanted({"verbose": True}) is True
