"""impl/ is clean-room: it never calls importlib's own import machinery."""
import ast
import sys

from tests.conftest import REPO

FORBIDDEN_ATTRIBUTES = {
    "importlib.__import__", "importlib.import_module", "importlib.reload", "importlib.invalidate_caches",
    "importlib.find_loader", "importlib.util.find_spec", "importlib.util.resolve_name",
    "importlib.util.module_from_spec", "importlib.util.spec_from_loader",
    "importlib.util.spec_from_file_location", "importlib._bootstrap", "importlib._bootstrap_external",
}
FORBIDDEN_MODULES = {"importlib._bootstrap", "importlib._bootstrap_external", "_frozen_importlib",
                     "_frozen_importlib_external", "_imp", "imp", "importlib.util"}
# The interpreter's bytecode format, as marshal is: its magic number and its source hash
# function (PEP 552). Data and a hash, no import machinery: impl may take them from importlib.util.
ALLOWED_FROM_UTIL = {"MAGIC_NUMBER", "source_hash"}
FORBIDDEN_FROM_IMPORTLIB = {"__import__", "import_module", "reload", "invalidate_caches", "find_loader",
                            "_bootstrap", "_bootstrap_external", "util"}


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def violations(source, filename="<source>"):
    """Every use of the forbidden machinery in a module's source, as readable strings."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Attribute):
            name = _dotted(node)
            if name and any(name == f or name.startswith(f + ".") for f in FORBIDDEN_ATTRIBUTES):
                found.append("%s:%d uses %s" % (filename, node.lineno, name))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in FORBIDDEN_MODULES or alias.name.startswith("_frozen_importlib"):
                    found.append("%s:%d imports %s" % (filename, node.lineno, alias.name))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module == "importlib.util" and all(alias.name in ALLOWED_FROM_UTIL for alias in node.names):
                continue
            if module in FORBIDDEN_MODULES or module.startswith("_frozen_importlib"):
                found.append("%s:%d imports from %s" % (filename, node.lineno, module))
            if module == "importlib":
                for alias in node.names:
                    if alias.name in FORBIDDEN_FROM_IMPORTLIB:
                        found.append("%s:%d imports importlib.%s" % (filename, node.lineno, alias.name))
    return found


def test_impl_uses_none_of_importlibs_machinery():
    files = sorted((REPO / "impl").glob("*.py"))
    assert len(files) >= 3
    problems = [v for path in files for v in violations(path.read_text(), path.name)]
    assert problems == []


def test_the_inspection_catches_each_kind_of_use():
    samples = {
        "import importlib\nimportlib.import_module('x')": "uses importlib.import_module",
        "import importlib.util\n": "imports importlib.util",
        "import importlib\nimportlib.util.find_spec('x')": "uses importlib.util.find_spec",
        "from importlib import reload": "imports importlib.reload",
        "from importlib._bootstrap import _find_and_load": "imports from importlib._bootstrap",
        "import _frozen_importlib_external": "imports _frozen_importlib_external",
        "import importlib\nf = importlib.__import__": "uses importlib.__import__",
        "import importlib\nimportlib._bootstrap._gcd_import('x')": "uses importlib._bootstrap",
        "from importlib.util import MAGIC_NUMBER, find_spec": "imports from importlib.util",
    }
    for source, message in samples.items():
        assert any(message in v for v in violations(source)), source
    assert violations("import importlib.machinery\nimportlib.machinery.ModuleSpec('x', None)") == []
    assert violations("from importlib.util import MAGIC_NUMBER, source_hash") == []


# Named in issue 15 as CPython's: kept here whatever the running interpreter's importlib defines.
CPYTHON_HELPERS = {"_gcd_import", "_find_and_load_unlocked", "_find_and_load", "_handle_fromlist", "_calc_package",
                   "_calc___package__", "_sanity_check", "_init_module_attrs", "_load_unlocked", "_exec_spec",
                   "_NEEDS_LOADING", "_ERR_MSG"}
# Attributes the interpreter itself reads on a spec (its "partially initialized module" and
# "cannot access submodule" messages): an interface impl must provide, not a borrowed name.
INTERPRETER_READS = {"_initializing", "_uninitialized_submodules"}


def cpython_private_names():
    """Every private name importlib's bootstrap modules define, at module level or in a class:
    read from the running interpreter, plus the helpers named above."""
    import importlib._bootstrap as bootstrap
    import importlib._bootstrap_external as external

    names = set(CPYTHON_HELPERS)
    for module in (bootstrap, external):
        for name, value in vars(module).items():
            names.add(name)
            if isinstance(value, type):
                names.update(vars(value))
    stdlib_modules = set(sys.stdlib_module_names)  # `import _thread` names a module, not a helper
    return {n for n in names if n.startswith("_") and not n.startswith("__")} - stdlib_modules - INTERPRETER_READS


def borrowed_names(source, private, filename="<source>"):
    """Identifiers of `source` (definitions, names, attributes, arguments) that are in `private`."""
    found = set()
    for node in ast.walk(ast.parse(source, filename)):
        for field in ("name", "id", "attr", "arg"):
            value = getattr(node, field, None)
            if isinstance(value, str) and value in private:
                found.add("%s:%d %s" % (filename, getattr(node, "lineno", 0), value))
    return found


def test_impl_uses_none_of_cpythons_private_names():
    private = cpython_private_names()
    assert {"_gcd_import", "_find_spec", "_ModuleLock", "_resolve_name", "_get_spec"} <= private
    problems = {v for path in sorted((REPO / "impl").glob("*.py")) for v in borrowed_names(path.read_text(), private,
                                                                                           path.name)}
    assert problems == set()
    samples = ["def _gcd_import(name): pass", "_ERR_MSG = 'x'", "x._find_spec(1)", "class _ModuleLock: pass",
               "def f(_handle_fromlist): pass", "obj._recalculate()"]
    for sample in samples:
        assert borrowed_names(sample, private), sample
    assert not borrowed_names("import _thread\nspec._initializing = True\ndef import_name(): pass", private)


def test_every_case_impl_cites_exists():
    """A rule's source is a seed sentence or a catalogue case: the cases impl names are real
    (a pattern such as `legacy.*` matches at least one)."""
    import fnmatch
    import json
    import re

    from conformance._case import load_cases

    ids = {case.id for case in load_cases()}
    sentences = {s["id"] for s in json.loads((REPO / "conformance/catalogue/sentences.json").read_text())["sentences"]}
    cited = set()
    for path in sorted((REPO / "impl").glob("*.py")):
        text = " ".join(path.read_text().split())  # a citation may wrap
        for phrase in re.findall(r"\b(?:cases?|seed)\b((?:[ ,]+(?:and )?[a-z_]+\.[\w.*-]+)+)", text):
            cited.update(re.findall(r"[a-z_]+\.[\w.*-]*[\w*]", phrase))
    assert len(cited) >= 40
    unknown = []
    for name in sorted(cited):
        if re.fullmatch(r"(\w+)\.(\d+)(-\d+)?", name):  # a seed sentence, or a range of them
            sentence = re.sub(r"-\d+$", "", name)
            if sentence not in sentences:
                unknown.append(name)
        elif not fnmatch.filter(ids, name):
            unknown.append(name)
    assert unknown == []
