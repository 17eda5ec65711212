"""Causes of a version change, by ablation: a feature of a case (a zip archive on sys.path, a
finder of the legacy protocols, bytecode writing) is a cause of the change a case shows when
the same case with that feature replaced by its plain counterpart (the archive's entries as a
directory of the same name, a find_spec finder, no bytecode writing) no longer shows it.

One change shows through many first differences (3.10's zip importer, which moved from
load_module to exec_module, sets `__cached__`, raises other exceptions for a module that removes
itself from sys.modules, gives a namespace portion another loader): the cause ties them together
where a key made of the first difference cannot.
"""
from __future__ import annotations

import copy
from typing import Callable

__all__ = ["FEATURES", "ablate", "features_of"]


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
    steps, moved = [], {}
    for index, step in enumerate(case.get("steps", [])):
        moved[index] = len(steps)
        entries = _zip_entries(step.get("source")) if step.get("op") == "write" else None
        if entries is None:
            steps.append(step)
        else:
            steps += [{**step, "path": "%s/%s" % (step["path"], name), "source": entry}
                      for name, entry in sorted(entries.items())]
    steps = [_renumbered(step, moved) for step in steps]
    return {**case, "files": files, "steps": steps}


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


def _has_legacy_finder(case: dict) -> bool:
    return any(f.get("finder") in _LEGACY_FINDERS for f in case.get("meta_path", []))


def _modern_finders(case: dict) -> dict:
    """Legacy meta-path finders as `serving` finders of the same modules (find_spec, exec_module)."""
    finders = [{k: v for k, v in f.items() if k not in ("bare", "filename")} | {"finder": "serving"}
               if f.get("finder") in _LEGACY_FINDERS else f for f in case.get("meta_path", [])]
    return {**case, "meta_path": finders}


def _without(key: str) -> Callable[[dict], dict]:
    return lambda case: {k: v for k, v in case.items() if k != key}


# name -> (whether a case has the feature, the case with it replaced by its plain counterpart)
FEATURES: dict[str, tuple[Callable[[dict], bool], Callable[[dict], dict]]] = {
    "zip archives": (_has_zip, _unzip),
    "legacy meta-path finders": (_has_legacy_finder, _modern_finders),
    "legacy path-entry hooks": (lambda case: bool(case.get("path_hooks")), _without("path_hooks")),
    "bytecode writing": (lambda case: bool(case.get("write_bytecode")), _without("write_bytecode")),
}


def features_of(case: dict) -> list[str]:
    """The FEATURES `case` has, in FEATURES' order."""
    return [name for name, (has, _) in FEATURES.items() if has(case)]


def ablate(case: dict, features) -> dict:
    """`case` with each of `features` replaced by its plain counterpart (without its id)."""
    case = copy.deepcopy({k: v for k, v in case.items() if k != "id"})
    for name in features:
        case = FEATURES[name][1](case)
    return case
