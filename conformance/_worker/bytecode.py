"""Bytecode files a case ships, and what the final observation says of the ones it has.

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax.
A case's file may be compiled bytecode instead of source text: {"pyc": {"source": ...}} in the
case format, compiled by the interpreter under test (its magic number, its marshal format)
with a header of the kind asked for (PEP 552): "timestamp" (the source's mtime and size,
by default those of `header_source` or `source` written at set-up), "checked-hash" or
"unchecked-hash" (importlib.util.source_hash of `header_source`, by default `source`);
`flags` puts other flags in the header, `truncate` cuts the file to that many bytes.
"""
import importlib.util
import marshal
import os
import struct
import sys

__all__ = ["KINDS", "describe_bytecode", "is_bytecode", "pyc_bytes", "with_cache_tag"]

KINDS = {"timestamp": 0, "unchecked-hash": 0b01, "checked-hash": 0b11}
_KIND_NAMES = {flags: kind for kind, flags in KINDS.items()}


def is_bytecode(source):
    return isinstance(source, dict) and "pyc" in source


def with_cache_tag(relative):
    """A case path with "{tag}" standing for the interpreter's cache tag (cpython-311...)."""
    return relative.replace("{tag}", getattr(sys.implementation, "cache_tag", None) or "notag")


def pyc_bytes(data, filename, base_mtime):
    """The bytes of a .pyc file for the case format's {"pyc": data}."""
    from conformance._worker.tree import source_text

    code = compile(source_text(data["source"]), filename, "exec", dont_inherit=True)
    header_source = source_text(data.get("header_source", data["source"])).encode("utf-8")
    kind = data.get("invalidation", "timestamp")
    header = importlib.util.MAGIC_NUMBER + struct.pack("<I", data.get("flags", KINDS[kind]))
    if kind == "timestamp":
        mtime = base_mtime + data.get("mtime_offset", 0)
        header += struct.pack("<II", mtime & 0xFFFFFFFF, data.get("size", len(header_source)) & 0xFFFFFFFF)
    else:
        header += importlib.util.source_hash(header_source)
    whole = header + marshal.dumps(code)
    return whole[:data["truncate"]] if "truncate" in data else whole


def describe_bytecode(root, base_mtime, text):
    """The .pyc files below root, sorted: [path (normalised by `text`), kind, and for a
    timestamp header the source mtime relative to the tree's base and the source size;
    "foreign" for a file whose magic number is not this interpreter's]."""
    found = []
    for directory, subdirs, names in os.walk(root):
        subdirs.sort()
        for name in sorted(names):
            if not name.endswith(".pyc"):
                continue
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                head = handle.read(16)
            entry = [text(path)]  # a cache below sys.pycache_prefix holds the case path twice
            if head[:4] != importlib.util.MAGIC_NUMBER or len(head) < 16:
                entry.append("foreign")
            else:
                flags = struct.unpack("<I", head[4:8])[0]
                entry.append(_KIND_NAMES.get(flags, "flags %d" % flags))
                if flags == 0:
                    mtime, size = struct.unpack("<II", head[8:16])
                    entry.extend([mtime - base_mtime, size])
            found.append(entry)
    return found
