"""Package trees and module bodies from a closed vocabulary (never free-form code)."""
from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

from ._choices import Choices

__all__ = ["Tree", "trees", "build_tree", "NAMES", "NODE_BYTES"]

# Short names first: a zero byte (where shrinking goes) picks the first.
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


NODE_BYTES = 24  # per node: parent, kind, name, root, then its statements


def _name(choose: Choices, policy) -> str:
    return choose.pick(NAMES + ODD_NAMES if policy.odd_names else NAMES)


def _skeleton(roots: int, node_bytes: list[bytes], policy) -> tuple[Tree, list[Choices]]:
    """The tree's nodes, each decoded from its own byte string (whose remaining bytes the
    node's body then reads): a node's parent is an earlier container or none."""
    nodes: list[Node] = []
    readers: list[Choices] = []
    kinds = ["module", "package"] + (["namespace"] if policy.namespaces else [])
    for data in node_bytes[:policy.max_nodes]:
        choose = Choices(data)
        containers = [n for n in nodes if n.kind != "module"]
        parent_index = choose.integer(0, len(containers))
        parent = containers[parent_index - 1] if parent_index else None
        kind = choose.pick(kinds)
        name = _name(choose, policy)
        root = choose.integer(0, roots - 1)
        if parent is not None and parent.kind == "package":
            root = parent.root
        dotted = name if parent is None else parent.dotted + "." + name
        if any(n.dotted == dotted and n.root == root for n in nodes):
            continue  # one node per name and root; the same name at another level is allowed
        nodes.append(Node(root, dotted, kind))
        readers.append(choose)
    return Tree(roots, nodes), readers


def _statement(choose: Choices, policy, tree: Tree, node: Node) -> str:
    name = choose.pick(tree.names + ["zz"])
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
    if policy.lazy:
        choices += ["lazy", "lazy", "lazy_modules"]
    kind = choose.pick(choices)
    if kind == "lazy":  # top level only: inside try it is a syntax error
        parent, _, _ = name.rpartition(".")
        return choose.pick([
            "lazy import %s" % name,
            "lazy from %s import %s" % (parent or name, leaf if parent else choose.pick(NAMES)),
            "lazy from . import %s" % leaf,
            "lazy import %s as %s" % (name, choose.pick(NAMES))])
    if kind == "lazy_modules":  # plain imports of these names after it are lazy
        return "__lazy_modules__ = %r" % choose.items(tree.names + ["zz"], 2)
    if kind == "import":
        text = "import %s" % name
    elif kind == "from_import":
        parent, _, _ = name.rpartition(".")
        text = "from %s import %s" % (parent or name, leaf if parent else choose.pick(NAMES))
    elif kind == "relative":
        text = "from %s import %s" % ("." * choose.integer(1, 2), leaf)
    elif kind == "attribute":
        text = "%s = %d" % (choose.pick(NAMES), choose.integer(0, 3))
    elif kind == "star":
        text = "from %s import *" % name
    elif kind == "all":
        text = "__all__ = %r" % choose.items(NAMES + ["zz"], 3)
    elif kind == "raise":
        text = choose.pick([
            "raise ImportError('boom')", "raise ImportError('boom', name=%r)" % name,
            "raise ModuleNotFoundError('boom', name=%r)" % name, "raise ValueError('boom')"])
    elif kind == "sys_modules":
        text = choose.pick([
            "import sys; sys.modules[__name__] = 42", "import sys; del sys.modules[__name__]",
            "import sys; sys.modules[%r] = None" % name,
            "import sys, types; sys.modules[__name__] = types.ModuleType(__name__)"])
    elif kind == "call":
        text = choose.pick([
            "import importlib; importlib.import_module(%r)" % name,
            "import importlib; importlib.import_module('.%s', __name__)" % leaf,
            "import importlib; importlib.invalidate_caches()",
            "import importlib; importlib.__import__(%r, globals(), None, ['%s'], 0)" % (name, leaf),
            "import importlib, sys; importlib.reload(sys.modules[__name__])"])
    else:
        text = choose.pick(["__path__.append(__path__[0])", "__path__ = []", "del __path__"])
    if policy.guard_statements and choose.boolean():
        return "try:\n    %s\nexcept ImportError:\n    pass" % text.replace("\n", "\n    ")
    return text


def build_tree(roots: int, node_bytes: list[bytes], policy) -> Tree:
    """A package tree with bodies: regular and namespace packages, portions over several roots,
    the same name at different levels, shadowing attributes, odd names."""
    tree, readers = _skeleton(roots, node_bytes, policy)
    for node, choose in zip(tree.nodes, readers):
        if node.kind != "namespace":
            count = choose.integer(0, policy.max_statements)
            node.body = [_statement(choose, policy, tree, node) for _ in range(count)]
    return tree


def trees(policy) -> st.SearchStrategy[Tree]:
    """Hypothesis strategy for package trees under `policy`."""
    return st.builds(build_tree, st.integers(1, policy.max_roots),
                     st.lists(st.binary(min_size=NODE_BYTES, max_size=NODE_BYTES), min_size=1,
                              max_size=policy.max_nodes), st.just(policy))
