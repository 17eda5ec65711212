"""Generation policies: which parts of the vocabulary a campaign (or one example) may use.

Swarm testing: rather than every feature at a low rate in every case, each example draws a
policy that switches features on or off, so that rare combinations get whole examples.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

from hypothesis import strategies as st

__all__ = ["Policy", "DEFAULT", "POLICY_BYTES", "policies", "swarm_policy", "parse_policy", "describe_policy", "mentions"]


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
    bytecode: bool = True
    zips: bool = True
    # lazy imports (CPython 3.15): `lazy import` in bodies, __lazy_modules__, a case's global mode
    # and filter, getattr steps that use a binding. Off by default (a syntax error before 3.15):
    # the fuzz command turns it on where every interpreter of the campaign has lazy imports.
    lazy: bool = False


DEFAULT = Policy()
SWITCHES = [f.name for f in fields(Policy) if f.type in ("bool", bool)]
LIMITS = {"max_roots": (1, 5), "max_nodes": (1, 16), "max_statements": (0, 8), "max_steps": (1, 16)}


def mentions(text: str, switch: str) -> bool:
    """Whether a --policy text names `switch` itself (as SWITCH or no-SWITCH)."""
    items = {part.strip().replace("-", "_") for part in text.split(",")}
    return switch in items or "no_" + switch in items


def parse_policy(text: str) -> Policy:
    """A policy from comma-separated items, applied in order to the default: `none` (every
    switch off), `all` (every switch on), `SWITCH`, `no-SWITCH`, `LIMIT=N`. For example
    `none,reload,edits,max_steps=6` fuzzes reloads and file edits with longer step sequences.
    Raises ValueError naming the bad item."""
    changes: dict = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, equals, number = item.partition("=")
        name = name.strip().replace("-", "_")
        if item in ("none", "all"):
            changes.update({switch: item == "all" for switch in SWITCHES})
        elif equals:
            if name not in LIMITS:
                raise ValueError("unknown limit %r (limits: %s)" % (name, ", ".join(LIMITS)))
            low, high = LIMITS[name]
            if not number.strip().isdigit() or not low <= int(number) <= high:
                raise ValueError("%s must be a whole number from %d to %d, got %r" % (name, low, high, number))
            changes[name] = int(number)
        elif name in SWITCHES:
            changes[name] = True
        elif name.startswith("no_") and name[3:] in SWITCHES:
            changes[name[3:]] = False
        else:
            raise ValueError("unknown switch %r (switches: %s)" % (item, ", ".join(SWITCHES)))
    return replace(DEFAULT, **changes)


def describe_policy(policy: Policy) -> dict:
    """The policy as JSON-ready data, for reports."""
    return {f.name: getattr(policy, f.name) for f in fields(Policy)}


POLICY_BYTES = len(SWITCHES)


def swarm_policy(base: Policy, data: bytes) -> Policy:
    """The swarm policy that POLICY_BYTES bytes stand for: each switch that `base` allows is on
    where its byte is odd (a switch `base` turns off stays off). Zero bytes: everything off."""
    data = data.ljust(POLICY_BYTES, b"\0")
    return replace(base, **{name: getattr(base, name) and bool(data[i] & 1) for i, name in enumerate(SWITCHES)})


def policies(base: Policy = DEFAULT) -> st.SearchStrategy[Policy]:
    """Swarm policies inside `base`; they shrink towards everything off, the plainest cases."""
    return st.binary(min_size=POLICY_BYTES, max_size=POLICY_BYTES).map(lambda data: swarm_policy(base, data))
