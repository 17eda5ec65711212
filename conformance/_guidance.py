"""Coverage guidance for the fuzzer's search: a corpus of the inputs that reached branches of the
interpreter's own import system that no earlier input of the campaign reached, and new inputs
drawn from it.

An input is the byte string a case is decoded from (strategies.generated_case: the first bytes
choose a swarm policy, then each part of the case reads its own slice). The workers report the
branches of importlib each run reached first in their process, or in a window of runs
(conformance/_worker/branches.py);
an input whose runs bring a branch new to the campaign (on any interpreter) joins the corpus. A
guided search draws a third of its inputs fresh, as the unguided search does, and the rest as
mutations of a corpus entry (bytes drawn anew, nudged by one, zeroed; a span or the whole tail
taken from another entry; and, where the parts of the input are known (strategies.generated_parts:
the policy, the set-up, each node, each step), a part drawn anew, a part of another entry put in
any slot of its kind, two parts swapped (a step of one case lands in another, or moves), one
choice of a part moved to its neighbour (in the policy's part, a switch flipped); and, where
the steps are known (strategies.generated_steps), a step inserted (drawn anew or taken from
another entry), dropped or repeated: the import system's state is built step by step.

Which entry: favoured by rarity (as libFuzzer's entropic schedule and AFLFast do). A worker
reports a branch again in each window of runs in which some run reaches it (branches.py), so
the campaign counts, per branch, the windows that reached it: an entry weighs as much as the
rarest branch it reached first (one over that count), shared among the times it was picked
already (so that its picks grow as the root of its rarity). What a search
reaches only behind rare branches (a corner of the import system, the next gate of a hook) it
reaches by mutating the inputs that got furthest. The corpus is kept in the campaign's example
database under its own key and replayed first by the next campaign of the same settings;
nothing is ever removed from it.
"""
from __future__ import annotations

import bisect
import itertools
import json
import math
import random
import time
from dataclasses import dataclass
from typing import Callable

from pathlib import Path

from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

__all__ = ["CORPUS_KEY", "POLICY_KEY", "Entry", "Guide", "Layout", "saved_corpora"]

CORPUS_KEY = b"conformance-corpus"  # the corpus's key in the example database (Hypothesis's keys are hashes)
POLICY_KEY = b"conformance-corpus-policy"  # the policy its inputs are decoded with (JSON, describe_policy)
FRESH_SHARE = 1 / 3  # of a guided search's inputs, drawn fresh as the unguided search draws them
REWEIGH_EVERY = 64  # draws between recomputations of the entries' weights (each pick changes one)
HISTORY_EVERY = 1.0  # seconds between samples of coverage over time


@dataclass
class Entry:
    """An input of the corpus: its bytes, the branches it reached first (interpreter label,
    branch), how often it was mutated since."""

    data: bytes
    firsts: tuple
    picks: int = 0

    def weight(self, hits: dict) -> float:
        """Its share of the mutations: the rarity of its rarest branch, shared among its picks."""
        return 1 / min(hits[first] for first in self.firsts) / (1 + self.picks)


@dataclass
class Layout:
    """What the search knows of how an input decodes: its parts (start, width: what decodes
    alike wherever its bytes come from), and the steps (strategies.generated_steps,
    generated_with_steps and generated_allowing for the campaign's policy)."""

    parts: list
    steps: Callable[[bytes], list]
    with_steps: Callable[[bytes, list], bytes]
    allowing: Callable[[bytes, bytes], bytes]  # the input with the switch turned on that a step's op needs
    max_steps: int


class Guide:
    """The corpus of one campaign and the branches its inputs reached, per interpreter label.
    `draw` gives the next input; `reached` takes what an input's runs reached."""

    def __init__(self, size: int, database: ExampleDatabase | None = None, policy: dict | None = None,
                 layout: Layout | None = None):
        self.size, self.database, self.policy, self.layout = size, database, policy, layout
        self.entries: list[Entry] = []
        self._entry_of: dict[bytes, Entry] = {}
        self.branches: dict[str, set[str]] = {}
        self.hits: dict[tuple[str, str], int] = {}  # (label, branch) -> windows of runs that reached it
        self.history: list[tuple[float, int, int]] = []  # (seconds, cases, branches), about each second
        self.replayed = 0
        self.damaged = 0  # saved inputs that could not be used (skipped, and removed from the database)
        self._started = time.monotonic()
        self._replay = self._saved()
        self._cumulative: list[float] = []  # the entries' weights, summed, as of the last reweighing
        self._draws = 0

    def _saved(self) -> list[bytes]:
        """The corpus earlier campaigns saved, to be drawn before anything else (in a fixed order)."""
        if self.database is None:
            return []
        saved = list(self.database.fetch(CORPUS_KEY))
        damaged = [data for data in saved if len(data) != self.size]  # cut short, or another campaign's
        for data in damaged:
            self.database.delete(CORPUS_KEY, data)
        self.damaged = len(damaged)
        return sorted((data for data in saved if len(data) == self.size), reverse=True)

    @property
    def total(self) -> int:
        """Branches reached so far, all interpreters together."""
        return sum(len(seen) for seen in self.branches.values())

    def reached(self, data: bytes, branches: dict[str, list[str]], cases: int) -> int:
        """Note the branches the runs of input `data` reached (interpreter label -> branches), the
        campaign having run `cases` cases; returns how many are new (and the input joins the
        corpus, on disk too, if any is)."""
        firsts = []
        hits = self.hits
        for label, reached in branches.items():
            seen = self.branches.setdefault(label, set())
            for branch in reached:
                key = (label, branch)
                hits[key] = hits.get(key, 0) + 1
                if branch not in seen:
                    seen.add(branch)
                    firsts.append(key)
        new = len(firsts)
        known = self._entry_of.get(data)
        if new and known is not None:  # an input run again (a replay, a mutation that changed nothing)
            known.firsts += tuple(firsts)  # reaching more this time: the corpus holds each input once
        elif new:
            self.entries.append(Entry(data, tuple(firsts)))
            self._entry_of[data] = self.entries[-1]
            if self.database is not None:
                if len(self.entries) == 1 and self.policy is not None:
                    self.database.save(POLICY_KEY, json.dumps(self.policy, sort_keys=True).encode())
                self.database.save(CORPUS_KEY, data)
        now = time.monotonic() - self._started
        if new and (not self.history or now - self.history[-1][0] >= HISTORY_EVERY):
            self.history.append((round(now, 1), cases, self.total))
        return new

    def draw(self, rng: random.Random) -> bytes:
        """The next input: a saved one not replayed yet; else fresh (FRESH_SHARE of them, and all
        while the corpus is empty) or a mutation of a corpus entry."""
        if self._replay:
            self.replayed += 1
            return self._replay.pop()
        if not self.entries or rng.random() < FRESH_SHARE:
            return rng.randbytes(self.size)
        self._draws += 1
        if len(self._cumulative) != len(self.entries) or self._draws % REWEIGH_EVERY == 0:
            self._cumulative = list(itertools.accumulate(entry.weight(self.hits) for entry in self.entries))
        at = bisect.bisect(self._cumulative, rng.random() * self._cumulative[-1])
        entry = self.entries[min(at, len(self.entries) - 1)]
        entry.picks += 1
        return mutate(rng, entry.data, rng.choice(self.entries).data, self.layout)

    def report(self) -> dict:
        """Coverage as `fuzz --json` reports it."""
        return {"branches": {label: len(seen) for label, seen in sorted(self.branches.items())},
                "total": self.total, "rare": sum(count == 1 for count in self.hits.values()),
                "corpus": len(self.entries), "replayed": self.replayed,
                "over_time": [list(sample) for sample in self.history]}


def saved_corpora(directory: Path) -> list[tuple[dict, list[bytes]]]:
    """The corpora saved under `directory`, an example database of one campaign's settings or a
    directory of them (`.conformance_cache/hypothesis`): (policy, inputs) each, in a fixed order.
    Raises ValueError if there is none."""
    corpora = []
    for path in [directory] + sorted(child for child in directory.iterdir() if child.is_dir()):
        database = DirectoryBasedExampleDatabase(str(path))
        policies = list(database.fetch(POLICY_KEY))
        inputs = sorted(database.fetch(CORPUS_KEY))
        if policies and inputs:
            try:
                policy = json.loads(policies[0])
            except ValueError:
                continue  # a damaged record: that corpus cannot be decoded
            corpora.append((policy, inputs))
    if not corpora:
        raise ValueError("%s holds no corpus of a guided fuzz campaign" % directory)
    return corpora


def mutate(rng: random.Random, data: bytes, other: bytes, layout: Layout | None = None) -> bytes:
    """`data` changed in one to four places; `other` (of the same length) gives spans, parts and
    steps to splice; `layout`, how the input decodes, if known."""
    out = bytearray(data)
    size = len(out)
    kinds = 6 if layout is None else 16
    for _ in range(rng.choice((1, 1, 2, 3, 4))):
        kind = rng.randrange(kinds)
        if kind >= 10:  # the step mutations, twice as likely as any other: the state is built by steps
            out[:] = _mutate_steps(rng, 10 + (kind - 10) % 3, bytes(out), other, layout)
            continue
        if kind >= 6:
            _mutate_parts(rng, kind, out, other, layout.parts)
            continue
        start = rng.randrange(size)
        end = min(size, start + rng.randint(1, max(1, size // 16)))
        if kind == 0:  # a few choices anew
            for _ in range(rng.randint(1, 4)):
                out[rng.randrange(size)] = rng.randrange(256)
        elif kind == 1:  # the neighbouring option of one choice
            out[start] = (out[start] + rng.choice((1, 255))) % 256
        elif kind == 2:  # a span anew
            out[start:end] = rng.randbytes(end - start)
        elif kind == 3:  # a span of the plainest choices
            out[start:end] = bytes(end - start)
        elif kind == 4:  # a span from the other entry, in the same place: its part of the case
            out[start:end] = other[start:end]
        else:  # the other entry's tail
            out[start:] = other[start:]
    return bytes(out)


def _mutate_parts(rng: random.Random, kind: int, out: bytearray, other: bytes, parts: list[tuple[int, int]]) -> None:
    """One part of `out` drawn anew (kind 6), taken from any part of `other` of the same width (7),
    swapped with another part of the same width (8), or one choice of it moved to the neighbouring
    option by its lowest bit (9; in the swarm policy's part: one switch turned on or off)."""
    start, width = rng.choice(parts)
    alike = [at for at, size in parts if size == width]
    if kind == 6:
        out[start:start + width] = rng.randbytes(width)
    elif kind == 7:
        source = rng.choice(alike)
        out[start:start + width] = other[source:source + width]
    elif kind == 8:
        at = rng.choice(alike)
        out[start:start + width], out[at:at + width] = out[at:at + width], out[start:start + width]
    else:
        out[start + rng.randrange(width)] ^= 1


def _mutate_steps(rng: random.Random, kind: int, data: bytes, other: bytes, layout: Layout) -> bytes:
    """`data` with a step inserted anywhere (kind 10: drawn anew, or one of `other`'s steps with
    the swarm switch its op needs turned on; with no room, another step makes way), one dropped
    (11) or one repeated right after itself (12), where the step count allows."""
    steps = layout.steps(data)
    if kind == 10:
        if rng.random() < 0.5:
            step = rng.randbytes(len(steps[0]))
        else:  # one of the other's steps, with the switch its op needs turned on
            step = rng.choice(layout.steps(other))
            data = layout.allowing(data, step)
        if len(steps) == layout.max_steps:  # no room: one step makes way
            del steps[rng.randrange(len(steps))]
        steps.insert(rng.randint(0, len(steps)), step)
    elif kind == 11 and len(steps) > 1:
        del steps[rng.randrange(len(steps))]
    elif kind == 12 and len(steps) < layout.max_steps:
        at = rng.randrange(len(steps))
        steps.insert(at, steps[at])
    else:
        return data
    return layout.with_steps(data, steps)
