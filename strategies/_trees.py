"""Package trees and module bodies from a closed vocabulary (never free-form code)."""
from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

__all__ = ["Tree", "trees", "NAMES"]

# Short names first: Hypothesis shrinks a sampled_from towards its first element.
NAMES = ["a", "b", "c", "p", "q"]
# Valid but unusual identifiers, and names that are legal strings but not identifiers.
ODD_NAMES = ["é", "Ω", "_x", "class", "2d", "a-b"]


@dataclass
class Node:
    """One module, regular package or namespace directory of the tree."""

    root: int
    dotted: str
    kind: str  # "module", "package", "namespace"
    body: list[str] = field(default_factory=list)

    def file(self) -> str | None:
        path = "r%d/%s" % (self.root, self.dotted.replace(".", "/"))
        if self.kind == "module":
            return path + ".py"
        if self.kind == "package":
            return path + "/__init__.py"
        return None

    def directory(self) -> str | None:
        return "r%d/%s" % (self.root, self.dotted.replace(".", "/")) if self.kind == "namespace" else None


@dataclass
class Tree:
    """The generated files over one or more roots (r0, r1, ...)."""

    roots: int
    nodes: list[Node]

    @property
    def names(self) -> list[str]:
        return sorted({node.dotted for node in self.nodes})

    @property
    def packages(self) -> list[str]:
        return sorted({n.dotted for n in self.nodes if n.kind != "module"})

    def files(self) -> dict[str, list[str]]:
        out = {}
        for node in self.nodes:
            path = node.file()
            if path is not None and path not in out:
                out[path] = ["__executed__(__name__)"] + node.body
        return out

    def dirs(self) -> list[str]:
        return sorted({d for d in (n.directory() for n in self.nodes) if d} | {"r%d" % i for i in range(self.roots)})


def _name(policy) -> st.SearchStrategy[str]:
    if policy.odd_names:
        return st.sampled_from(NAMES + ODD_NAMES)
    return st.sampled_from(NAMES)


@st.composite
def _skeleton(draw, policy) -> Tree:
    roots = draw(st.integers(1, policy.max_roots))
    nodes: list[Node] = []
    count = draw(st.integers(1, policy.max_nodes))
    for _ in range(count):
        containers = [n for n in nodes if n.kind != "module"]
        parent_index = draw(st.integers(0, len(containers)))
        parent = containers[parent_index - 1] if parent_index else None
        kinds = ["module", "package"] + (["namespace"] if policy.namespaces else [])
        kind = draw(st.sampled_from(kinds))
        name = draw(_name(policy))
        root = parent.root if parent is not None and parent.kind == "package" else draw(st.integers(0, roots - 1))
        dotted = name if parent is None else parent.dotted + "." + name
        if any(n.dotted == dotted and n.root == root for n in nodes):
            continue  # one node per name and root; the same name at another level is allowed
        nodes.append(Node(root, dotted, kind))
    return Tree(roots, nodes)


def _statement(draw, policy, tree: Tree, node: Node) -> str:
    names = tree.names + ["zz"]
    name = draw(st.sampled_from(names))
    leaf = name.rpartition(".")[2]
    choices = ["import", "from_import", "attribute"]
    if policy.relative:
        choices += ["relative"]
    if policy.star:
        choices += ["star", "all"]
    if policy.raising:
        choices += ["raise"]
    if policy.sys_modules_edits:
        choices += ["sys_modules"]
    if policy.calls_in_bodies:
        choices += ["call"]
    if node.kind != "module" and policy.path_edits:
        choices += ["path_edit"]
    kind = draw(st.sampled_from(choices))
    if kind == "import":
        text = "import %s" % name
    elif kind == "from_import":
        parent, _, _ = name.rpartition(".")
        text = "from %s import %s" % (parent or name, leaf if parent else draw(st.sampled_from(NAMES)))
    elif kind == "relative":
        dots = draw(st.integers(1, 2))
        text = "from %s import %s" % ("." * dots, leaf)
    elif kind == "attribute":
        text = "%s = %d" % (draw(st.sampled_from(NAMES)), draw(st.integers(0, 3)))
    elif kind == "star":
        text = "from %s import *" % name
    elif kind == "all":
        text = "__all__ = %r" % draw(st.lists(st.sampled_from(NAMES + ["zz"]), max_size=3))
    elif kind == "raise":
        text = draw(st.sampled_from([
            "raise ImportError('boom')", "raise ImportError('boom', name=%r)" % name,
            "raise ModuleNotFoundError('boom', name=%r)" % name, "raise ValueError('boom')"]))
    elif kind == "sys_modules":
        text = draw(st.sampled_from([
            "import sys; sys.modules[__name__] = 42", "import sys; del sys.modules[__name__]",
            "import sys; sys.modules[%r] = None" % name,
            "import sys, types; sys.modules[__name__] = types.ModuleType(__name__)"]))
    elif kind == "call":
        text = draw(st.sampled_from([
            "import importlib; importlib.import_module(%r)" % name,
            "import importlib; importlib.import_module('.%s', __name__)" % leaf,
            "import importlib; importlib.invalidate_caches()",
            "import importlib; importlib.__import__(%r, globals(), None, ['%s'], 0)" % (name, leaf),
            "import importlib, sys; importlib.reload(sys.modules[__name__])"]))
    else:
        text = draw(st.sampled_from(["__path__.append(__path__[0])", "__path__ = []", "del __path__"]))
    if policy.guard_statements and draw(st.booleans()):
        return "try:\n    %s\nexcept ImportError:\n    pass" % text.replace("\n", "\n    ")
    return text


@st.composite
def trees(draw, policy) -> Tree:
    """A package tree with bodies: regular and namespace packages, portions over several roots,
    the same name at different levels, shadowing attributes, odd names."""
    tree = draw(_skeleton(policy))
    for node in tree.nodes:
        if node.kind != "namespace":
            count = draw(st.integers(0, policy.max_statements))
            node.body = [_statement(draw, policy, tree, node) for _ in range(count)]
    return tree
