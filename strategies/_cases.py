"""Whole cases: a tree, set-up, and a step sequence, in the case format.

A case is decoded from one byte string (see _choices.py), in fixed slices: the set-up, one
per node of the tree, one per step. The fuzzer draws the string at random and Hypothesis
shrinks it: zero bytes mean one node, one step and the plainest choices; the fuzzer's case
reducer then deletes what is left to delete.
"""
from __future__ import annotations

import hashlib
import json
from functools import partial

from hypothesis import strategies as st

from ._choices import Choices
from ._policy import DEFAULT, POLICY_BYTES, SWITCHES, Policy, swarm_policy
from ._trees import NAMES, NODE_BYTES, Tree, build_tree

__all__ = ["cases", "case_from", "build_case", "case_size", "generated_case", "generated_size", "generated_parts",
           "generated_steps", "generated_with_steps", "generated_allowing"]

SETUP_BYTES = 32  # the set-up's choices, then (from _GENERAL_BYTES) its meta-path finder's
_GENERAL_BYTES = 16
STEP_BYTES = 24
BAD_NAMES = ["", ".", "a.", "..", 1, None, {"bytes": "a"}]
ALL_OPS = ["import_module", "__import__", "reload", "write", "delete", "invalidate_caches", "del_module", "find_loader",
           "getattr", "getattr"]  # getattr: the access that imports a lazy binding
OP_SWITCHES = {"reload": "reload", "write": "edits", "delete": "edits", "invalidate_caches": "edits",
               "del_module": "edits", "find_loader": "find_loader", "getattr": "lazy"}  # the switch an op needs


def _names(tree: Tree) -> list[str]:
    return tree.names + ["zz", (tree.names[0] + ".zz") if tree.names else "zz.a"]


def _name_arg(choose: Choices, policy: Policy, tree: Tree):
    if policy.invalid_arguments and choose.one_in(6):
        return choose.pick(BAD_NAMES)
    name = choose.pick(_names(tree))
    if policy.relative and choose.one_in(4):
        return "." * choose.integer(1, 2) + name.rpartition(".")[2]
    return name


def _globals(choose: Choices, policy: Policy, tree: Tree):
    if policy.invalid_arguments and choose.one_in(8):
        return choose.pick(["a", 1, {"tuple": []}])  # not a dict at all
    package = choose.pick(tree.packages or ["a"])
    given = {}
    if choose.boolean():
        given["__name__"] = package + ".m"
    if choose.boolean():
        given["__package__"] = choose.pick([package, "", None, 5])
    if choose.one_in(4):
        given["__spec__"] = {"spec": {"name": choose.pick(tree.names or ["a"]) + ".m"}}
    if choose.one_in(4):
        given["__path__"] = []
    return {"globals": given}


def _step(choose: Choices, policy: Policy, tree: Tree, index: int, seeded: list) -> dict:
    ops = [op for op in ALL_OPS if op not in OP_SWITCHES or getattr(policy, OP_SWITCHES[op])]
    byte = choose.integer(0, 255)
    op = ALL_OPS[byte % len(ALL_OPS)]  # the same op under every policy that allows it (a step spliced
    if op not in ops:                  # into a case of another swarm policy stays what it was)...
        op = ops[byte % len(ops)]      # ...else one the policy allows
    if op == "getattr":
        names = _names(tree)  # an attribute a module body may bind: a top-level name or a leaf
        leaves = sorted({name.split(".")[0] for name in names} | {name.rpartition(".")[2] for name in names})
        return {"op": op, "module": choose.pick(_names(tree)), "attr": choose.pick(leaves + NAMES)}
    if op == "import_module":
        step = {"op": op, "name": _name_arg(choose, policy, tree)}
        if choose.boolean():
            step["package"] = choose.pick(tree.packages + [None, ""]) if tree.packages else None
        return step
    if op == "__import__":
        step = {"op": op, "name": _name_arg(choose, policy, tree)}
        level = choose.pick([0, 0, 1, 2] + ([-1, True, 1.0] if policy.invalid_arguments else []))
        if level != 0:
            step["level"] = level
            step["globals"] = _globals(choose, policy, tree)
        if choose.boolean():
            items = NAMES + ["*", "zz"] + ([1] if policy.invalid_arguments else [])
            fromlist = choose.items(items, 3)
            step["fromlist"] = {"tuple": fromlist} if choose.one_in(5) else fromlist
        return step
    if op == "reload":
        if index and choose.boolean():
            return {"op": op, "module": {"result": choose.integer(0, index - 1)}}
        if seeded and choose.boolean():  # a stub seeded in sys.modules: no spec, maybe no file
            return {"op": op, "module": {"module": choose.pick(seeded)}}
        return {"op": op, "module": choose.pick(["a", None])}
    if op == "find_loader":
        return {"op": op, "name": _name_arg(choose, policy, tree)}
    if op == "invalidate_caches":
        return {"op": op}
    if op == "del_module":
        return {"op": op, "name": choose.pick(_names(tree))}
    files = sorted(tree.files())
    if op == "delete" and files:
        return {"op": op, "path": choose.pick(files), "keep_mtime": choose.boolean()}
    root = choose.integer(0, tree.roots - 1)
    new_file = "r%d/%s.py" % (root, choose.pick(NAMES))
    target = choose.pick(files + [new_file])
    source = ["__executed__(__name__)", "%s = %d" % (choose.pick(NAMES), index + 10)]
    step = {"op": "write", "path": target, "source": source, "keep_mtime": choose.boolean()}
    if policy.bytecode:
        _bytecode_edit(choose, step, index)
    return step


def _bytecode_edit(choose: Choices, step: dict, index: int) -> None:
    """Make a write step an edit bytecode caches can miss (the same mtime, often the same size),
    or the writing of a .pyc: the source's cache (__pycache__/NAME.{tag}.pyc) or a sourceless
    module beside it, of any header kind."""
    step["keep_file_mtime"] = choose.boolean()
    if not choose.one_in(3):
        return
    directory, _, file = step["path"].rpartition("/")
    stem = file.rpartition(".")[0]
    pyc = {"source": ["__executed__(__name__ + ':pyc')", "%s = %d" % (stem, index + 20)],
           "invalidation": choose.pick(["timestamp", "timestamp", "checked-hash", "unchecked-hash"])}
    if choose.boolean():
        pyc["header_source"] = step["source"]  # a header that matches the source just written
    if choose.one_in(8):
        pyc["body"] = "not_code"
    cache = choose.boolean()
    step["path"] = "%s/__pycache__/%s.{tag}.pyc" % (directory, stem) if cache else "%s/%s.pyc" % (directory, stem)
    step["source"] = {"pyc": pyc}


def _finder(choose: Choices, tree: Tree) -> dict:
    """A meta-path finder answering one name: finding nothing, serving a source string (by
    spec_from_loader, its loader perhaps built on importlib's SourceLoader, with get_filename(),
    is_package() or a create_module() whose module carries attributes already), a spec without loader, the legacy protocols, or
    locating a file by spec_from_file_location (the name's own file, none, or a .pyc beside it)."""
    kind = choose.pick(["recording", "serving", "loaderless", "legacy_serving", "legacy_loader", "locating",
                        "serving", "locating"])
    name = choose.pick(_names(tree))
    finder = {"finder": kind, "name": "f", "names": [name]}
    if choose.boolean():
        finder["packages"] = [name]
    files = {node.dotted: node.file() for node in tree.nodes if node.file()}
    if kind == "locating":
        own = files.get(name) or "r0/%s.py" % name.replace(".", "/")
        finder["locations"] = {name: choose.pick([own, own, None, own.rpartition(".")[0] + ".pyc"])}
        loader = choose.pick([None, None, "source", "source", "sourceless", "builtin", "frozen"])
        if loader:
            finder["loader"] = loader
        if choose.one_in(4):
            finder["relative"] = True  # passed as written: relative to the working directory, the case's
        if choose.one_in(4):
            finder["pathlike"] = True  # a pathlib.Path
        if choose.one_in(3):
            finder["search_locations"] = {name: choose.pick([[], [own.rpartition("/")[0]], ["r0", "missing"]])}
        return finder
    finder["modules"] = {choose.pick([name] + _names(tree)): ["__executed__(__name__)", "v = 1"]}
    if kind != "serving":
        return finder
    if choose.boolean():
        finder["ask_package"] = True
    if choose.one_in(4):
        finder["origin"] = choose.pick(["somewhere", ""])
    loader = {}
    if choose.one_in(3):
        loader["base"] = "SourceLoader"  # get_code() and exec_module() are importlib's SourceLoader's
    if choose.boolean():
        loader["filename"] = choose.pick([files.get(name, "r0/elsewhere.py"), None, "r0/data.txt"])
    if choose.one_in(3):
        loader["is_package"] = choose.pick([True, False, None])
    if choose.one_in(3):
        attrs = {"__file__": "elsewhere.py", "__cached__": "elsewhere.pyc", "__package__": "other",
                 "__path__": ["p"], "__loader__": None, "__spec__": None, "__name__": "renamed"}
        loader["module_attrs"] = {attr: attrs[attr] for attr in choose.items(sorted(attrs), 3)}
    if loader:
        finder["loader"] = loader
    return finder


def _zip_root(case: dict, root: int) -> None:
    """Root rN becomes the archive rN.zip (on sys.path in its place): its files are the
    archive's entries; its empty directories are dropped (a zip has no need of them)."""
    prefix = "r%d/" % root
    entries = {path[len(prefix):]: source for path, source in case["files"].items() if path.startswith(prefix)}
    if not entries:
        return
    case["files"] = {path: source for path, source in case["files"].items() if not path.startswith(prefix)}
    case["files"]["r%d.zip" % root] = {"zip": entries}
    case["dirs"] = [d for d in case["dirs"] if not (d + "/").startswith(prefix)]
    case["sys_path"] = [entry + ".zip" if entry == prefix[:-1] else entry for entry in case["sys_path"]]


def case_from(data: dict) -> dict:
    """Give a generated case its stable id: a digest of its content."""
    digest = hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]
    return {"id": "fuzz.%s" % digest, **data}


def case_size(policy: Policy) -> int:
    """How many bytes one case reads under `policy`."""
    return SETUP_BYTES + policy.max_nodes * NODE_BYTES + policy.max_steps * STEP_BYTES


def _slice(data: bytes, start: int, width: int, index: int) -> bytes:
    """The index-th slice of `width` bytes from `start`."""
    return data[start + index * width:start + (index + 1) * width]


def build_case(policy: Policy, data: bytes) -> dict:
    """Decode one case from case_size(policy) bytes: the set-up part picks the number of nodes
    and steps, the roots, the sys.path shape, sys.modules seeds and finders; each node and each
    step then reads its own fixed slice, so that changing one leaves the others as they were."""
    choose = Choices(data[:_GENERAL_BYTES])
    nodes = 1 + choose.integer(0, policy.max_nodes - 1)
    steps = 1 + choose.integer(0, policy.max_steps - 1)
    node_at = SETUP_BYTES
    step_at = node_at + policy.max_nodes * NODE_BYTES
    tree = build_tree(choose.integer(1, policy.max_roots),
                      [_slice(data, node_at, NODE_BYTES, i) for i in range(nodes)], policy)
    roots = ["r%d" % i for i in range(tree.roots)]
    sys_path = choose.permutation(roots) if policy.path_shapes else roots
    if policy.path_shapes and choose.boolean():
        sys_path = sys_path + ["missing"]
    case = {"files": tree.files(), "dirs": tree.dirs(), "sys_path": sys_path}
    if policy.bytecode and choose.boolean():
        case["write_bytecode"] = True
        if case["files"] and choose.one_in(4):  # a read-only source: its cache must stay writable
            case["read_only"] = [choose.pick(sorted(case["files"]))]
    if policy.zips and choose.one_in(3):
        _zip_root(case, choose.integer(0, tree.roots - 1))
    seeded = []  # keys of stub modules seeded in sys.modules, for reload steps
    if policy.seeds and tree.names and choose.boolean():
        name = choose.pick(_names(tree))
        stub = {"stub": {"name": choose.pick([name] + _names(tree))}}  # maybe under another key
        case["sys_modules"] = {name: choose.pick([None, {"object": "o"}, stub])}
        seeded = [name] if case["sys_modules"][name] is stub else []
    if policy.finders and choose.boolean():
        case["meta_path"] = [_finder(Choices(data[_GENERAL_BYTES:SETUP_BYTES]), tree)]
    if policy.finders and choose.one_in(4):  # a path-entry finder of before 3.4, for entry "old"
        case["path_hooks"] = [{"hook": choose.pick(["legacy_find_loader", "legacy_find_module"]), "entry": "old",
                               "name": "h", "modules": {choose.pick(_names(tree)): ["__executed__(__name__)"]}}]
        case["sys_path"] = ["old"] + case["sys_path"] if choose.boolean() else case["sys_path"] + ["old"]
    if policy.lazy and choose.one_in(3):  # a global mode, and maybe a filter that keeps one name eager
        case["lazy_imports"] = {"mode": choose.pick(["all", "normal"])}
        if choose.boolean():
            case["lazy_imports"]["filter"] = {"eager": [choose.pick(_names(tree))]}
    if policy.bytecode and choose.one_in(8):  # run with -v: the reports of loads and caches
        case["verbose"] = True
    case["steps"] = [_step(Choices(_slice(data, step_at, STEP_BYTES, i)), policy, tree, i, seeded)
                     for i in range(steps)]
    return case_from(case)


def generated_size(base: Policy) -> int:
    """How many bytes generated_case reads: a swarm policy's, then a case's."""
    return POLICY_BYTES + case_size(base)


def generated_parts(base: Policy) -> list[tuple[int, int]]:
    """Where the parts of generated_case's bytes lie, as (start, width): the swarm policy, the
    case's set-up, its finder, each node, each step, in that order (a part decodes the same
    wherever its bytes come from: what a search can splice)."""
    at = POLICY_BYTES + SETUP_BYTES
    nodes = [(at + i * NODE_BYTES, NODE_BYTES) for i in range(base.max_nodes)]
    at += base.max_nodes * NODE_BYTES
    setup = [(POLICY_BYTES, _GENERAL_BYTES), (POLICY_BYTES + _GENERAL_BYTES, SETUP_BYTES - _GENERAL_BYTES)]
    return [(0, POLICY_BYTES)] + setup + nodes + [(at + i * STEP_BYTES, STEP_BYTES) for i in range(base.max_steps)]


_STEP_COUNT_AT = POLICY_BYTES + 1  # in generated_case's bytes: build_case's second choice, the step count


def generated_steps(base: Policy, data: bytes) -> list[bytes]:
    """The parts of generated_case's bytes that the case's steps read, in order: as many as it
    has (one to base.max_steps), STEP_BYTES each."""
    count = 1 + Choices(data[_STEP_COUNT_AT:_STEP_COUNT_AT + 1]).integer(0, base.max_steps - 1)
    return [data[at:at + width] for at, width in generated_parts(base)[-base.max_steps:][:count]]


def generated_with_steps(base: Policy, data: bytes, steps: list[bytes]) -> bytes:
    """`data` with the case's steps made `steps` (one to base.max_steps parts, each STEP_BYTES): the
    step count set to match, the parts of unused steps and everything else left as they were.
    What lets a search insert, drop and reorder steps (the import system's state is built step
    by step: a reload after an import, a cache invalidated after a write)."""
    if not 1 <= len(steps) <= base.max_steps or any(len(step) != STEP_BYTES for step in steps):
        raise ValueError("1 to %d steps of %d bytes each" % (base.max_steps, STEP_BYTES))
    out = bytearray(data)
    out[_STEP_COUNT_AT] = len(steps) - 1  # read modulo max_steps
    at = generated_parts(base)[-base.max_steps][0]
    out[at:at + len(steps) * STEP_BYTES] = b"".join(steps)
    return bytes(out)


def generated_allowing(base: Policy, data: bytes, step: bytes) -> bytes:
    """`data` (generated_case's bytes) with the swarm switch turned on that the op `step` (a step's
    bytes) stands for needs, if `base` allows it: that step keeps its op when spliced into `data`."""
    op = ALL_OPS[step[0] % len(ALL_OPS)] if step else None  # _step's first choice
    switch = OP_SWITCHES.get(op)
    if switch is None or not getattr(base, switch):
        return data
    at = SWITCHES.index(switch)
    return data[:at] + bytes([data[at] | 1]) + data[at + 1:]


def generated_case(base: Policy, data: bytes) -> dict:
    """The case that generated_size(base) bytes stand for: a swarm policy inside `base` from
    the first POLICY_BYTES (so each case explores its own corner), then the case under it.
    The fuzzer draws these bytes at random and has Hypothesis shrink them."""
    policy = swarm_policy(base, data[:POLICY_BYTES])
    return build_case(policy, data[POLICY_BYTES:POLICY_BYTES + case_size(base)])


def cases(policy: Policy | None = None) -> st.SearchStrategy[dict]:
    """Cases in the case format (see conformance/schemas/case.schema.json): under `policy`,
    or, with none, each under a swarm policy drawn inside the default."""
    if policy is None:
        size, decode = generated_size(DEFAULT), partial(generated_case, DEFAULT)
    else:
        size, decode = case_size(policy), partial(build_case, policy)
    return st.binary(min_size=size, max_size=size).map(decode)
