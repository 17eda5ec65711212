"""Version profiles: every behaviour of the five functions that differs between CPython versions.

One table, keyed by (major, minor). Each entry says where it comes from: the seed
documentation, or the catalogue case whose recorded CPython observations show it.
"""
import sys

__all__ = ["Profile", "PROFILES", "current", "profile_for"]


class Profile(object):
    """The version-dependent rules for one CPython major.minor."""

    def __init__(self, version, **rules):
        self.version = version
        for key, value in rules.items():
            setattr(self, key, value)


def _rules(version):
    at_least = version.__ge__
    return dict(
        # Seed doc (find_loader, "Deprecated since version 3.4") and its removal in 3.12
        # (case find_loader.absent / find_loader.present).
        has_find_loader=not at_least((3, 12)),
        # Case find_loader.in_sys_modules: the DeprecationWarning's words.
        find_loader_warning=(
            "Deprecated since Python 3.4 and slated for removal in Python 3.12; "
            "use importlib.util.find_spec() instead" if at_least((3, 10)) else
            "Deprecated since Python 3.4. Use importlib.util.find_spec() instead."),
        # Cases import_module.relative.beyond_top_level, dunder_import.level.beyond_top:
        # ValueError on 3.8, ImportError from 3.9.
        beyond_top_level_error=ImportError if at_least((3, 9)) else ValueError,
        # Case dunder_import.globals.package_spec_disagree: ImportWarning up to 3.11,
        # DeprecationWarning from 3.12.
        package_spec_mismatch_category=DeprecationWarning if at_least((3, 12)) else ImportWarning,
        # Case sys_modules.parent_rejects_binding: from 3.9 a parent refusing the child
        # attribute gives an ImportWarning; on 3.8 the AttributeError propagates.
        warn_when_parent_rejects_child=at_least((3, 9)),
        # Case invalidate_caches.namespace_new_portion: from 3.9 invalidate_caches() makes
        # namespace package paths recompute (a new portion becomes importable).
        namespace_epoch=at_least((3, 9)),
        # Cases reload.not_a_module_*: from 3.10 reload() looks up __spec__.name, then
        # __name__, and only then raises TypeError (two AttributeErrors in the context chain);
        # before, it checks isinstance(module, ModuleType) first.
        reload_duck_typed=at_least((3, 10)),
        # gh-125519 (case field `changes` of reload.not_a_module_*, observed on Pyodide's 3.13.2
        # and 3.14.2): from 3.12.8 and 3.13.1 that TypeError no longer carries the two
        # AttributeErrors in its context chain.
        reload_error_unchained=at_least((3, 13, 1)) or (3, 12, 8) <= version < (3, 13),
        # Observed on 3.13 only (case invalidate_caches.returns_none, recorded sys.modules
        # changes): invalidate_caches() also clears importlib.metadata's path caches.
        invalidate_metadata=at_least((3, 13)),
        # From 3.11 a parent's spec lists the submodules being imported
        # (observed: ModuleSpec._uninitialized_submodules exists from 3.11), which the
        # interpreter uses for "cannot access submodule ..." messages.
        uninitialized_submodules=at_least((3, 11)),
        # Case sys_modules.none_left_by_parent (recorded on 3.8-3.15; 3.14 first observed on
        # Pyodide's 3.14.2, found by fuzzing impl there): a None that the parent's body put in
        # sys.modules for the child is returned as the import's result up to 3.13; 3.14 imports
        # the child in its place; from 3.15 it halts the import as any None there does.
        none_left_by_parent="halts" if at_least((3, 15)) else "imported" if at_least((3, 14)) else "returned",
        # gh-97879, 3.14 documentation, "Pending removal in Python 3.15": "In Python 3.15,
        # __cached__ will cease to be set or take into consideration by the import system or
        # standard library." Observed on 3.15.2: no module imported from a file has __cached__
        # (cases bytecode.*, import_module.*), and spec.cached is worked out when first asked,
        # so after a module body has set sys.pycache_prefix it lies below that prefix (case
        # bytecode.pycache_prefix_writes_there); up to 3.14 setting __cached__ asked it before
        # the body ran.
        sets_cached=not at_least((3, 15)),
        # 3.14 documentation, "Pending removal in Python 3.15", importlib: "load_module() method:
        # use exec_module() instead." Observed on 3.15.2 (cases legacy.load_module_only_loader*,
        # legacy.bare_loader*): a spec's loader without exec_module() is no longer driven
        # through load_module(); the import fails with AttributeError for exec_module.
        load_module_fallback=not at_least((3, 15)),
        # Case machinery.namespace_path_operations: a namespace package's __path__ is shown as
        # _NamespacePath([...]) up to 3.14, NamespacePath([...]) from 3.15.
        namespace_path_name="NamespacePath" if at_least((3, 15)) else "_NamespacePath",
        # Case namespace.path_after_parent_removed (found by fuzz --across over 3.13-3.15): a
        # namespace package's path, recomputed after its parent left sys.modules, raises KeyError
        # up to 3.14 and ModuleNotFoundError ("'p' must be imported before finding 'p.ns'.") from 3.15.
        namespace_parent_gone_not_found=at_least((3, 15)),
        # Cases legacy.*: finders without find_spec() are asked through find_module() (meta
        # path) or find_loader()/find_module() (path entries) up to 3.11; from 3.12 a meta-path
        # one is passed over and a path-entry one fails with AttributeError.
        legacy_finders=not at_least((3, 12)),
        # Cases legacy.*: from 3.10 each fallback to an old protocol gives an ImportWarning.
        legacy_warnings=at_least((3, 10)),
        # Case invalidate_caches.path_entry_finder_without_method (recorded 3.8-3.15): from 3.11
        # invalidate_caches() also forgets the path-entry finders cached under a relative path.
        forget_relative_entries=at_least((3, 11)),
        # Case machinery.dot_path_entry (recorded 3.8-3.15) and FileFinder's path observed on
        # 3.8-3.13: the entry '.' (and '') is the working directory itself from 3.11, its
        # directory followed by '/.' before; './' likewise from 3.12.
        dot_entry_is_cwd=at_least((3, 11)),
        dot_slash_is_cwd=at_least((3, 12)),
        # Case threads.submodule_while_parent_runs (recorded 3.8-3.15): from 3.14 importing a
        # submodule whose parent another thread is still importing waits for that import to end
        # (the parent is whole, and the child bound on it, only after); up to 3.13 the child is
        # imported at once from the partial parent.
        child_waits_for_parent=at_least((3, 14)),
        # Case threads.circular_deadlock_detected (recorded 3.8-3.15): two threads whose imports
        # would wait on each other's modules; the one that would wait last, on a module already in
        # sys.modules, raises DeadlockError up to 3.14 (its import fails, the other thread then
        # executes that module again); from 3.15 it takes the partly initialised module.
        deadlock_takes_partial_module=at_least((3, 15)),
    )


PROFILES = {(3, minor): Profile((3, minor), **_rules((3, minor))) for minor in range(8, 16)}


def profile_for(version=None):
    """The profile for a (major, minor) version, or a (major, minor, micro) one where a patch
    release changed a rule; default: the running interpreter's, patch level included."""
    version = tuple(version or sys.version_info[:3])
    if len(version) > 2 and version[:2] in PROFILES:
        return Profile(version[:2], **_rules(version))
    if version not in PROFILES:
        nearest = max(v for v in PROFILES if v <= version) if version > min(PROFILES) else min(PROFILES)
        return Profile(version, **_rules(nearest))
    return PROFILES[version]


current = profile_for()  # the profile in force: impl.use_version() chooses another
