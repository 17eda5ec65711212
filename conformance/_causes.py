"""Causes of a version change, by ablation: a feature of a case (a zip archive on sys.path,
meta-path or path-entry finders of the legacy protocols, bytecode writing, a module body that
puts None in sys.modules, calls of invalidate_caches(), an option of a finder's: an origin it
gives spec_from_loader, locations it passes as written or as pathlib.Path objects) is a cause of
the change a case shows when the same case with that feature replaced by its plain counterpart
(the archive's entries as a directory of the same name, find_spec finders or none, no bytecode
writing, no such statement or call) no longer shows it, or shows only a change found already. A
case whose difference vanishes once the changes found already are undone in it (their features
replaced, the exceptions they no longer raise caught) shows nothing new.

One change shows through many first differences (3.10's zip importer, which moved from
load_module to exec_module, sets `__cached__`, raises other exceptions for a module that removes
itself from sys.modules, gives a namespace portion another loader): the cause ties them together
where a key made of the first difference cannot.
"""
from __future__ import annotations

import copy
import json
import re
from typing import Callable

__all__ = ["FEATURES", "ablate", "atomic", "explain", "features_of", "widen_guards"]


def _zip_entries(source) -> dict | None:
    return source.get("zip") if isinstance(source, dict) else None


def _has_zip(case: dict) -> bool:
    return any(_zip_entries(s) is not None for s in case.get("files", {}).values()) or any(
        step.get("op") == "write" and _zip_entries(step.get("source")) is not None for step in case.get("steps", []))


def _unzip(case: dict) -> dict:
    """Every archive a directory of the same name holding its entries; a step that rewrites an
    archive writes each entry instead (entries the old archive had and the new one lacks stay)."""
    files = {}
    for path, source in case.get("files", {}).items():
        entries = _zip_entries(source)
        if entries is None:
            files[path] = source
        else:
            files.update({"%s/%s" % (path, name): entry for name, entry in entries.items()})
    def entry_writes(step: dict) -> list:
        entries = _zip_entries(step.get("source")) if step.get("op") == "write" else None
        if entries is None:
            return [step]
        return [{**step, "path": "%s/%s" % (step["path"], name), "source": entry}
                for name, entry in sorted(entries.items())]
    return {**_steps_replaced(case, entry_writes), "files": files}


def _steps_replaced(case: dict, replace: Callable[[dict], list]) -> dict:
    """`case` with each step replaced by the steps replace(step) gives (none, itself, several),
    later steps' references to earlier results ({"result": N}) following them."""
    steps, moved = [], {}
    for index, step in enumerate(case.get("steps", [])):
        moved[index] = len(steps)
        steps += replace(step)
    return {**case, "steps": [_renumbered(step, moved) for step in steps]}


def _renumbered(value, moved: dict):
    """`value` with its references to earlier steps' results ({"result": N}) following `moved`."""
    if isinstance(value, list):
        return [_renumbered(item, moved) for item in value]
    if isinstance(value, dict):
        if set(value) == {"result"} and isinstance(value["result"], int):
            return {"result": moved.get(value["result"], value["result"])}
        return {key: _renumbered(item, moved) for key, item in value.items()}
    return value


_LEGACY_FINDERS = ("legacy_serving", "legacy_loader")


def _has_legacy_meta_path_finders(case: dict) -> bool:
    return any(f.get("finder") in _LEGACY_FINDERS for f in case.get("meta_path", []))


def _modern_finders(case: dict) -> dict:
    """Legacy meta-path finders as `serving` finders of the same modules (find_spec, exec_module)."""
    finders = [{k: v for k, v in f.items() if k not in ("bare", "filename")} | {"finder": "serving"}
               if f.get("finder") in _LEGACY_FINDERS else f for f in case.get("meta_path", [])]
    return case | {"meta_path": finders} if "meta_path" in case else case


def _without_path_hooks(case: dict) -> dict:
    """No legacy path-entry finders (the case's path hooks are all of them: find_loader or
    find_module only): their sys.path entries are left to the stdlib's hooks."""
    return {k: v for k, v in case.items() if k != "path_hooks"}


_NONE_ENTRY = re.compile(r"sys\.modules\[[^\]]+\] = None")


def _texts_changed(value, change: Callable[[str], str]):
    """`value` (case data: strings, lists, dicts) with `change` applied to every string in it."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_texts_changed(item, change) for item in value]
    if isinstance(value, dict):
        return {key: _texts_changed(item, change) for key, item in value.items()}
    return value


def _bodies(case: dict) -> str:
    """The case's module bodies and step sources as one text, to search for a statement."""
    return json.dumps([case.get("files", {}), case.get("steps", [])])


def _bodies_changed(case: dict, change: Callable[[str], str]) -> dict:
    """`case` with `change` applied to the text of its module bodies and step sources."""
    return {key: _texts_changed(value, change) if key in ("files", "steps") else value for key, value in case.items()}


def _has_none_entries(case: dict) -> bool:
    return _NONE_ENTRY.search(_bodies(case)) is not None


def _without_none_entries(case: dict) -> dict:
    """Module bodies that put None in sys.modules for a name (a parent's for its child, say) no
    longer do (3.14 imports such a child in its place, 3.15 halts there)."""
    return _bodies_changed(case, lambda text: _NONE_ENTRY.sub("pass", text))


_INVALIDATION = re.compile(r"\bimportlib\.invalidate_caches\(\)")


def _has_invalidations(case: dict) -> bool:
    return any(step.get("op") == "invalidate_caches" for step in case.get("steps", [])) or bool(
        _INVALIDATION.search(_bodies(case)))


def _without_invalidations(case: dict) -> dict:
    """No invalidate_caches() steps, and module bodies that called it no longer do (3.9
    recomputes a namespace package's path after it: one change seen through finder calls,
    sys.path_importer_cache entries, portions found)."""
    case = _steps_replaced(case, lambda step: [] if step.get("op") == "invalidate_caches" else [step])
    return _bodies_changed(case, lambda text: _INVALIDATION.sub("None", text))


def _finder_option(kind: str, option: str) -> tuple[Callable[[dict], bool], Callable[[dict], dict]]:
    """A meta-path finder option as a feature: whether a finder of `kind` has it, and the case
    with it dropped (an origin given to spec_from_loader, a location passed as written...)."""
    def has(case: dict) -> bool:
        return any(f.get("finder") == kind and option in f for f in case.get("meta_path", []))

    def without(case: dict) -> dict:
        finders = [{k: v for k, v in f.items() if k != option} if f.get("finder") == kind else f
                   for f in case.get("meta_path", [])]
        return case | {"meta_path": finders} if "meta_path" in case else case
    return has, without


# name -> (whether a case has the feature, the case with it replaced by its plain counterpart)
FEATURES: dict[str, tuple[Callable[[dict], bool], Callable[[dict], dict]]] = {
    "zip archives": (_has_zip, _unzip),
    "legacy meta-path finders": (_has_legacy_meta_path_finders, _modern_finders),
    "legacy path-entry finders": (lambda case: bool(case.get("path_hooks")), _without_path_hooks),
    "bytecode writing": (lambda case: bool(case.get("write_bytecode")),
                         lambda case: {k: v for k, v in case.items() if k != "write_bytecode"}),
    "None put in sys.modules by a body": (_has_none_entries, _without_none_entries),
    "invalidate_caches() calls": (_has_invalidations, _without_invalidations),
    "an origin given to spec_from_loader": _finder_option("serving", "origin"),
    "relative locations for spec_from_file_location": _finder_option("locating", "relative"),
    "pathlib.Path locations for spec_from_file_location": _finder_option("locating", "pathlike"),
}

GUARD = "except ImportError:"  # how generated module bodies guard a statement (strategies/_trees.py)


def features_of(case: dict) -> list[str]:
    """The FEATURES `case` has, in FEATURES' order."""
    return [name for name, (has, _) in FEATURES.items() if has(case)]


def ablate(case: dict, features) -> dict:
    """`case` with each of `features` replaced by its plain counterpart (without its id)."""
    case = copy.deepcopy({k: v for k, v in case.items() if k != "id"})
    for name in features:
        case = FEATURES[name][1](case)
    return case


def widen_guards(case: dict, exception: str) -> dict:
    """`case` with its modules' `except ImportError:` guards also catching `exception`: where an
    older version raised that exception and a newer one ImportError, a guarded statement shows
    the change through whatever the module does next (a later import, another exception)."""
    widened = "except (ImportError, %s):" % exception
    return {key: _texts_changed(value, lambda text: text.replace(GUARD, widened))
            if key in ("files", "steps", "meta_path", "path_hooks") else value for key, value in case.items()}


def atomic(root: tuple) -> bool:
    """Whether a version change's root is one change others may be made of: an exception type
    no longer raised, or a cause of one feature."""
    kind = root[1] if len(root) > 1 else None
    return (kind == "raises" and isinstance(root[2], str) and root[2].isidentifier()) or (
        kind == "cause" and len(root[2]) == 1)


def explain(case: dict, roots) -> tuple[dict | None, list]:
    """`case` with every change of `roots` that applies to it undone (a cause's feature replaced,
    an exception no longer raised caught by the guards), and the roots used; (None, []) when none
    applies. Whether the versions then agree is for the caller to run."""
    present = set(features_of(case))
    used = [root for root in roots if atomic(root) and (root[1] == "raises" and GUARD in json.dumps(case)
                                                         or root[1] == "cause" and set(root[2]) <= present)]
    if not used:
        return None, []
    ablated = ablate(case, sorted({name for root in used if root[1] == "cause" for name in root[2]}))
    for root in used:
        if root[1] == "raises":
            ablated = widen_guards(ablated, root[2])
    return ablated, used
