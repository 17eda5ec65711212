"""Whole cases: a tree, set-up, and a step sequence, in the case format."""
from __future__ import annotations

import hashlib
import json

from hypothesis import strategies as st

from strategies._policy import Policy, policies
from strategies._trees import NAMES, Tree, trees

__all__ = ["cases", "batches", "case_from"]


def _names(tree: Tree) -> st.SearchStrategy[str]:
    return st.sampled_from(tree.names + ["zz", (tree.names[0] + ".zz") if tree.names else "zz.a"])


def _bad_names() -> st.SearchStrategy:
    return st.sampled_from(["", ".", "a.", "..", 1, None, {"bytes": "a"}])


@st.composite
def _name_arg(draw, policy: Policy, tree: Tree):
    if policy.invalid_arguments and draw(st.integers(0, 5)) == 0:
        return draw(_bad_names())
    name = draw(_names(tree))
    if policy.relative and draw(st.integers(0, 3)) == 0:
        return "." * draw(st.integers(1, 2)) + name.rpartition(".")[2]
    return name


@st.composite
def _globals(draw, tree: Tree):
    package = draw(st.sampled_from(tree.packages or ["a"]))
    given = {}
    if draw(st.booleans()):
        given["__name__"] = package + ".m"
    if draw(st.booleans()):
        given["__package__"] = draw(st.sampled_from([package, "", None, 5]))
    if draw(st.integers(0, 3)) == 0:
        given["__spec__"] = {"spec": {"name": draw(st.sampled_from(tree.names or ["a"])) + ".m"}}
    if draw(st.integers(0, 3)) == 0:
        given["__path__"] = []
    return {"globals": given}


@st.composite
def _step(draw, policy: Policy, tree: Tree, index: int) -> dict:
    ops = ["import_module", "__import__"]
    if policy.reload:
        ops.append("reload")
    if policy.edits:
        ops += ["write", "delete", "invalidate_caches", "del_module"]
    if policy.find_loader:
        ops.append("find_loader")
    op = draw(st.sampled_from(ops))
    if op == "import_module":
        step = {"op": op, "name": draw(_name_arg(policy, tree))}
        if draw(st.booleans()):
            step["package"] = draw(st.sampled_from(tree.packages + [None, ""]) if tree.packages else st.none())
        return step
    if op == "__import__":
        step = {"op": op, "name": draw(_name_arg(policy, tree))}
        level = draw(st.sampled_from([0, 0, 1, 2] + ([-1, True, 1.0] if policy.invalid_arguments else [])))
        if level != 0:
            step["level"] = level
            step["globals"] = draw(_globals(tree))
        if draw(st.booleans()):
            items = st.sampled_from(NAMES + ["*", "zz"] + ([1] if policy.invalid_arguments else []))
            fromlist = draw(st.lists(items, max_size=3))
            step["fromlist"] = {"tuple": fromlist} if draw(st.integers(0, 4)) == 0 else fromlist
        return step
    if op == "reload":
        if index and draw(st.booleans()):
            return {"op": op, "module": {"result": draw(st.integers(0, index - 1))}}
        return {"op": op, "module": draw(st.sampled_from(["a", None]))}
    if op == "find_loader":
        return {"op": op, "name": draw(_name_arg(policy, tree))}
    if op == "invalidate_caches":
        return {"op": op}
    if op == "del_module":
        return {"op": op, "name": draw(_names(tree))}
    files = sorted(tree.files())
    if op == "delete" and files:
        return {"op": op, "path": draw(st.sampled_from(files)), "keep_mtime": draw(st.booleans())}
    root = draw(st.integers(0, tree.roots - 1))
    target = draw(st.sampled_from(files + ["r%d/%s.py" % (root, draw(st.sampled_from(NAMES)))]))
    source = ["__executed__(__name__)", "%s = %d" % (draw(st.sampled_from(NAMES)), index + 10)]
    return {"op": "write", "path": target, "source": source, "keep_mtime": draw(st.booleans())}


def case_from(data: dict) -> dict:
    """Give a generated case its stable id: a digest of its content."""
    digest = hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]
    return {"id": "fuzz.%s" % digest, **data}


@st.composite
def cases(draw, policy: Policy | None = None) -> dict:
    """A case in the case format (see conformance/schemas/case.schema.json); with no policy,
    a swarm policy is drawn first, so that each example explores a different corner."""
    policy = policy or draw(policies())
    tree = draw(trees(policy))
    roots = ["r%d" % i for i in range(tree.roots)]
    sys_path = draw(st.permutations(roots)) if policy.path_shapes else roots
    if policy.path_shapes and draw(st.booleans()):
        sys_path = list(sys_path) + ["missing"]
    data = {"files": tree.files(), "dirs": tree.dirs(), "sys_path": list(sys_path)}
    if policy.seeds and tree.names and draw(st.booleans()):
        name = draw(_names(tree))
        data["sys_modules"] = {name: draw(st.sampled_from([None, {"object": "o"}, {"stub": {"name": name}}]))}
    if policy.finders and draw(st.booleans()):
        data["meta_path"] = [{"finder": draw(st.sampled_from(["recording", "serving", "loaderless"])),
                              "name": "f", "names": [draw(_names(tree))],
                              "modules": {draw(_names(tree)): ["__executed__(__name__)", "v = 1"]}}]
    count = draw(st.integers(1, policy.max_steps))
    data["steps"] = [draw(_step(policy, tree, index)) for index in range(count)]
    return case_from(data)


@st.composite
def batches(draw, max_size: int = 12, policy: Policy | None = None) -> list:
    """Several cases generated under one swarm policy (drawn once per batch): the fuzzer's unit
    of work, run in parallel. Shrinks towards one case and the plainest policy."""
    policy = policy or draw(policies())
    return draw(st.lists(cases(policy), min_size=1, max_size=max_size))
