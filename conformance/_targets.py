"""Target and reference specs (`stdlib`, `impl:3.9`, `expected:3.8`, a module, a .py file): which
are the worker's own, which name recordings rather than a run, and which sides of a comparison
run. The command line checks them (conformance/_options.py); the pool, check and fuzz read them."""
from __future__ import annotations

__all__ = ["BUILT_IN_TARGETS", "fuzzing_reference", "is_own_target", "is_recorded", "live_sides",
           "may_share_process"]

BUILT_IN_TARGETS = ("stdlib", "builtin", "impl", "source")


def is_own_target(spec: str) -> bool:
    """The worker's own targets (stdlib, builtin, impl, impl:3.N), whose loading changes nothing
    in the worker: their runs may share its processes."""
    return spec in ("stdlib", "builtin", "impl") or spec.startswith("impl:")


def is_recorded(spec: str) -> bool:
    """A reference that is CPython's recorded observations (`expected`, `expected:3.N`), not a run."""
    return spec == "expected" or spec.startswith("expected:")


def live_sides(target: str, reference: str) -> list[str]:
    """The sides of a comparison that run (a recorded reference does not)."""
    return [spec for spec in (target, reference) if not is_recorded(spec)]


def fuzzing_reference(reference: str) -> str:
    """The reference a fuzz campaign compares with: generated cases have no recordings, so a
    recorded reference means the stdlib."""
    return "stdlib" if is_recorded(reference) else reference


def may_share_process(target: str, reference: str) -> bool:
    """Whether the reference's and then the target's run of a case may share one forked process
    (a third of the cost): only for the worker's own targets, whose loading changes nothing and
    whose runs change nothing that the worker's ImportState does not restore. A target that is a
    module runs in workers of its own (Pool), never in a process the reference runs in."""
    return is_own_target(target) and is_own_target(reference)
