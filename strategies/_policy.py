"""Generation policies: which parts of the vocabulary a campaign (or one example) may use.

Swarm testing: rather than every feature at a low rate in every case, each example draws a
policy that switches features on or off, so that rare combinations get whole examples.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

from hypothesis import strategies as st

__all__ = ["Policy", "DEFAULT", "policies"]


@dataclass(frozen=True)
class Policy:
    """Limits (sizes) and switches (features) for generated cases."""

    max_roots: int = 2
    max_nodes: int = 4
    max_statements: int = 3
    max_steps: int = 4
    namespaces: bool = True
    odd_names: bool = True
    relative: bool = True
    star: bool = True
    raising: bool = True
    sys_modules_edits: bool = True
    calls_in_bodies: bool = True
    path_edits: bool = True
    guard_statements: bool = True
    invalid_arguments: bool = True
    reload: bool = True
    edits: bool = True
    find_loader: bool = True
    path_shapes: bool = True
    seeds: bool = True
    finders: bool = True


DEFAULT = Policy()
SWITCHES = [f.name for f in fields(Policy) if f.type in ("bool", bool)]


@st.composite
def policies(draw, base: Policy = DEFAULT) -> Policy:
    """A swarm policy: each switch that `base` allows is kept on or turned off. Shrinks
    towards everything off, that is towards the plainest cases."""
    switches = {name: getattr(base, name) and draw(st.booleans()) for name in SWITCHES}
    return replace(base, **switches)
