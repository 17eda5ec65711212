"""What a case does, in words a hook's author declares intended differences by: features read off
the case's data (its files, set-up and steps), never off a run. A target's IGNORE, `--ignore`
and expectation-file entries name them (`feature:files-changed`), so that "cases where the project
changes after install are out of contract" needs no glob over generated names."""
from __future__ import annotations

import re
from typing import Callable

__all__ = ["FEATURES", "features_of", "unknown_feature"]

_IDENTIFIER_DOTTED = re.compile(r"[^\W\d]\w*(\.[^\W\d]\w*)*\Z")
_NAMED_OPS = ("import_module", "__import__", "find_loader")


def _steps(case: dict, *ops: str) -> list[dict]:
    return [step for step in case.get("steps", []) if step.get("op") in ops]


def _sources(case: dict) -> list:
    return list(case.get("files", {}).values()) + [step.get("source") for step in _steps(case, "write")]


def _paths(case: dict) -> set[str]:
    """Every file path of the case, an archive's entries under the archive's own path."""
    paths = set()
    for path, source in case.get("files", {}).items():
        entries = source.get("zip") if isinstance(source, dict) else None
        paths |= {"%s/%s" % (path, entry) for entry in entries} if entries is not None else {path}
    return paths | {step["path"] for step in _steps(case, "write")}


def _namespace_package(case: dict) -> bool:
    """A directory below a sys.path entry holding modules but no __init__.py."""
    roots = {entry for entry in case.get("sys_path", ["."]) if isinstance(entry, str)}
    paths = _paths(case)
    holding = {path.rsplit("/", 1)[0] for path in paths if "/" in path and path.endswith((".py", ".pyc"))}
    holding |= {d for d in case.get("dirs", [])}
    return any(d not in roots and "%s/__init__.py" % d not in paths
               and any(d.startswith(root + "/") or root == "." for root in roots) for d in holding)


def _names(case: dict) -> list:
    return [step.get("name") for step in _steps(case, *_NAMED_OPS)]


FEATURES: dict[str, tuple[str, Callable[[dict], bool]]] = {
    "files-changed": ("a step writes, deletes or makes a file or directory after set-up (after a hook "
                      "installed after set-up)", lambda case: bool(_steps(case, "write", "delete", "mkdir"))),
    "relative-name": ("a call names a module relatively (a leading dot, or a level above 0)",
                      lambda case: any(isinstance(s.get("name"), str) and s["name"].startswith(".")
                                       or s.get("level") not in (None, 0) for s in _steps(case, *_NAMED_OPS))),
    "odd-name": ("a call names a module by a string that is not a dotted identifier (an empty name, a "
                 "digit first, a hyphen)", lambda case: any(isinstance(n, str) and not n.startswith(".")
                                                             and not _IDENTIFIER_DOTTED.match(n) for n in _names(case))),
    "meta-path-finder": ("the case puts finders of its own on sys.meta_path", lambda case: bool(case.get("meta_path"))),
    "legacy-finder": ("a finder or loader of the protocols before Python 3.4 (find_module, find_loader, load_module)",
                      lambda case: any(str(f.get("finder", "")).startswith("legacy") for f in case.get("meta_path", []))
                      or any(str(h.get("hook", "")).startswith("legacy") for h in case.get("path_hooks", []))),
    "path-hook": ("the case puts path hooks of its own on sys.path_hooks", lambda case: bool(case.get("path_hooks"))),
    "zip-archive": ("a zip archive on sys.path", lambda case: any(isinstance(s, dict) and "zip" in s
                                                                   for s in _sources(case))),
    "bytecode": ("the case ships or writes bytecode (.pyc files, or sys.dont_write_bytecode off)",
                 lambda case: bool(case.get("write_bytecode")) or any(isinstance(s, dict) and "pyc" in s
                                                                      for s in _sources(case))),
    "namespace-package": ("a directory of modules without __init__.py (a namespace package portion)",
                          _namespace_package),
    "sys-modules-edited": ("the case puts entries in sys.modules or removes them itself",
                           lambda case: bool(case.get("sys_modules")) or bool(_steps(case, "set_module", "del_module"))),
    "reload": ("a step reloads a module", lambda case: bool(_steps(case, "reload"))),
    "find-loader": ("a step calls find_loader", lambda case: bool(_steps(case, "find_loader"))),
}


def features_of(case: dict) -> frozenset[str]:
    """The names of the features case `case` (its data) has."""
    return frozenset(name for name, (_, has) in FEATURES.items() if has(case))


def unknown_feature(name: str) -> str | None:
    """A one-line message for a feature name that is not one, else None."""
    if name in FEATURES:
        return None
    return "unknown case feature %r (features: %s)" % (name, ", ".join(FEATURES))
