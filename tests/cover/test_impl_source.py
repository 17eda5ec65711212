"""impl/ is clean-room: it never calls importlib's own import machinery."""
import ast

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
