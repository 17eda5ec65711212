"""Choices read from a byte string: the fast way generated cases are built.

A case is one fixed-size byte string (drawn at random by the fuzzer, or by Hypothesis in the
strategies), sliced per part of the case; each decision then reads one byte, which costs far
less than one Hypothesis draw per decision. A zero byte, and every read past the end, is the
first and plainest option, so Hypothesis's shrinking (bytes lowered towards zero) makes cases
smaller and plainer.
"""
from __future__ import annotations

from typing import Sequence, TypeVar

__all__ = ["Choices"]

T = TypeVar("T")


class Choices:
    """Decisions decoded one byte at a time from `data`; zeros once it is used up."""

    def __init__(self, data: bytes):
        self._data, self._at = data, 0

    def _byte(self) -> int:
        at = self._at
        self._at += 1
        return self._data[at] if at < len(self._data) else 0

    def integer(self, low: int, high: int) -> int:
        """An integer in [low, high] (a span of at most 256); low for a zero byte."""
        return low + self._byte() % (high - low + 1)

    def pick(self, options: Sequence[T]) -> T:
        """One of `options`; the first for a zero byte."""
        return options[self.integer(0, len(options) - 1)]

    def boolean(self) -> bool:
        """True or False; False for a zero byte."""
        return self.integer(0, 1) == 1

    def one_in(self, n: int) -> bool:
        """True with probability 1/n (for rare corners); False for a zero byte."""
        return self.integer(0, n - 1) == n - 1

    def items(self, options: Sequence[T], most: int) -> list[T]:
        """Zero to `most` picks from `options` (repeats allowed); empty for zero bytes."""
        return [self.pick(options) for _ in range(self.integer(0, most))]

    def permutation(self, items: Sequence[T]) -> list[T]:
        """`items` reordered; unchanged for zero bytes."""
        out = list(items)
        for i in range(len(out) - 1):
            j = self.integer(i, len(out) - 1)
            out[i], out[j] = out[j], out[i]
        return out
