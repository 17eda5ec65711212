"""What runs inside the interpreter under test is stdlib-only and never imports the host side."""
import ast
import sys

from tests.conftest import REPO

INSIDE = sorted((REPO / "conformance" / "_worker").glob("*.py"))


def _imports(path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module


# coverage.py is imported only when CONFORMANCE_COVERAGE asks for it (the project's own tests).
OPTIONAL = {"coverage"}


def test_worker_imports_only_stdlib_and_itself():
    assert INSIDE
    for path in INSIDE:
        for name in _imports(path):
            top = name.split(".")[0]
            assert (top in sys.stdlib_module_names or name.startswith("conformance._worker")
                    or top in OPTIONAL), (path.name, name)


def test_impl_imports_only_stdlib_and_itself():
    for path in sorted((REPO / "impl").glob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names or top == "impl", (path.name, name)
        ast.parse(path.read_text(), str(path), feature_version=(3, 8))


def test_worker_parses_as_python_38():
    for path in INSIDE:
        ast.parse(path.read_text(), str(path), feature_version=(3, 8))


def test_package_init_imports_nothing_from_the_host_side():
    init = REPO / "conformance" / "__init__.py"
    assert set(_imports(init)) <= {"importlib"}
