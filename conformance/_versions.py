"""Python versions as the host reads them: from "3.9", "3.9.18", an interpreter's label
("cpython 3.9.18", "pypy 3.9.16") or a `--python 3.9` spec, as tuples that compare in order."""
from __future__ import annotations

import re

__all__ = ["is_version", "minor", "parse_version"]


def parse_version(text: str) -> tuple[int, ...]:
    """(3, 9, 18) from "3.9.18" or "cpython 3.9.18"; (3, 9) from "3.9": its first three numbers."""
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def minor(text: str | tuple[int, ...]) -> str:
    """"3.9" from "3.9", "3.9.18", "cpython 3.9.18" or (3, 9, 18) (text that names no version as it is)."""
    if isinstance(text, tuple):
        return "%d.%d" % text[:2]
    match = re.search(r"(\d+)\.(\d+)", text)
    return "%s.%s" % match.groups() if match else text


def is_version(text: str) -> bool:
    """Whether `text` is a bare version: "3.9" or "3.9.18"."""
    parts = text.split(".")
    return 2 <= len(parts) <= 3 and all(part.isdigit() for part in parts)
