"""What runs inside the interpreter under test is stdlib-only and never imports the host side."""
import ast
import sys
from pathlib import Path

from tests.conftest import REPO

INSIDE = sorted((REPO / "conformance" / "_worker").glob("*.py"))


def _imports(path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module


def test_worker_imports_only_stdlib_and_itself():
    assert INSIDE
    for path in INSIDE:
        for name in _imports(path):
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names or name.startswith("conformance._worker"), (path.name, name)


def test_worker_parses_as_python_38():
    for path in INSIDE:
        ast.parse(path.read_text(), str(path), feature_version=(3, 8))


def test_package_init_imports_nothing_from_the_host_side():
    init = REPO / "conformance" / "__init__.py"
    assert set(_imports(init)) <= {"importlib"}
