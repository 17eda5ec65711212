"""The house's shape: modules in layers, imports only sideways or down and never in a circle,
no code module over 450 lines, and docs/layout.md naming every top-level entry."""
import ast
import fnmatch
import subprocess

from tests.conftest import REPO

# The one package and its parts: impl/, strategies/ and reports/ are top-level folders of the
# checkout, conformance.impl, conformance.strategies and conformance.reports when imported (links
# in conformance/; the wheel carries them inside the package).
FOLDERS = {"conformance": "conformance", "impl": "conformance.impl", "strategies": "conformance.strategies",
           "reports": "conformance.reports"}
# Lowest first. A module imports only from its own layer and those below; a new module is put
# in one here (and in docs/layout.md).
LAYERS = [
    ("inside the interpreter under test, and generation",
     ["conformance._worker", "conformance._worker.*", "conformance._launchers.*", "conformance.impl",
      "conformance.impl.*", "conformance.reports._prelude", "conformance.strategies", "conformance.strategies.*"]),
    ("foundations", ["conformance._versions", "conformance._targets", "conformance._files", "conformance._compare",
                     "conformance._features",
                     "conformance._reduce",
                     "conformance._junit", "conformance._matrix", "conformance._dashboard", "conformance._causes", "conformance._case",
                     "conformance._runtimes", "conformance._interpreters", "conformance._expectations",
                     "conformance._spec"]),
    ("running cases", ["conformance._protocol", "conformance._pool", "conformance._check", "conformance._recordings",
                       "conformance._report"]),
    ("searching", ["conformance._changes", "conformance._findings", "conformance._shrinking", "conformance._judges",
                   "conformance._guidance", "conformance._fuzz"]),
    ("reports", ["conformance.reports", "conformance.reports._*"]),
    ("front ends", ["conformance", "conformance.__main__", "conformance._options", "conformance._fuzz_command",
                    "conformance._coverage", "conformance._cli", "conformance._pytest_plugin"]),
]
MAX_LINES = 450


def _modules():
    """{dotted name: path} of the package's modules (not reports/hooks/: scripts of their own),
    each once (the links in conformance/ not followed: their folders are read as themselves)."""
    found = {}
    for folder, package in FOLDERS.items():
        for path in sorted((REPO / folder).rglob("*.py")):
            parts = path.relative_to(REPO / folder).with_suffix("").parts
            if "hooks" in parts or (folder == "conformance" and (REPO / folder / parts[0]).is_symlink()):
                continue
            parts = tuple(package.split(".")) + (parts[:-1] if parts[-1] == "__init__" else parts)
            found[".".join(parts)] = path
    return found


def _imports(name, path, modules):
    """The project modules `name` imports, anywhere in its file (functions too)."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                found.add(base + "." + alias.name if base + "." + alias.name in modules else base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {module for module in found if module in modules and module != name}


def _layer(name):
    for number, (_, patterns) in enumerate(LAYERS):
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
            return number
    return None


def _graph():
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_every_module_has_a_layer():
    assert [name for name in _graph() if _layer(name) is None] == []


def test_no_import_runs_up_a_layer():
    upward = [(name, imported) for name, imports in _graph().items() for imported in imports
              if _layer(imported) > _layer(name)]
    assert upward == []


def _cycles(graph):
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_circle():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_code_module_is_over_450_lines():
    long = {name: len(path.read_text().splitlines()) for name, path in _modules().items()
            if name != "conformance.reports._prelude"}  # a script's text, read by reports._repro
    assert {name: lines for name, lines in long.items() if lines > MAX_LINES} == {}


def test_layout_names_every_top_level_entry():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    entries = {line.split("/")[0] + ("/" if "/" in line else "") for line in tracked.splitlines()}
    layout = (REPO / "docs" / "layout.md").read_text()
    assert sorted(entry for entry in entries if "`%s`" % entry not in layout) == []


def test_no_build_artefact_is_tracked():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    artefacts = ("*.whl", "*.tar.gz", "*.egg-info/*", "build/*", "dist/*", "*~", "*.pyc", "*.un~", ".*.un~")
    assert [path for path in tracked.splitlines()
            if any(fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], pattern) or fnmatch.fnmatchcase(path, pattern)
                   for pattern in artefacts)] == []
