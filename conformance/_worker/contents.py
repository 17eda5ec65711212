"""What a file of a case's tree holds: source text, compiled bytecode or a zip archive; and what
the final observation says of the bytecode files a case has.

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax.
A file's source is a string or a list of lines. It may be compiled bytecode instead: {"pyc": {"source": ...}} in the
case format, compiled by the interpreter under test (its magic number, its marshal format)
with a header of the kind asked for (PEP 552): "timestamp" (the source's mtime and size,
by default those of `header_source` or `source` written at set-up), "checked-hash" or
"unchecked-hash" (importlib.util.source_hash of `header_source`, by default `source`);
`flags` puts other flags in the header, `truncate` cuts the file to that many bytes. A zip
archive is {"zip": {relative path: source}}.
"""
import importlib.util
import marshal
import os
import struct
import sys

__all__ = ["BASE_MTIME", "KINDS", "describe_bytecode", "file_bytes", "is_bytecode", "pyc_bytes", "source_text",
           "with_cache_tag", "zip_bytes"]

BASE_MTIME = 1500000000  # every file's and directory's mtime at set-up (tree.Tree)
ZIP_TIME = (2017, 7, 14, 2, 40, 0)  # BASE_MTIME in UTC, as a zip entry's date and time

KINDS = {"timestamp": 0, "unchecked-hash": 0b01, "checked-hash": 0b11}
_KIND_NAMES = {flags: kind for kind, flags in KINDS.items()}


def source_text(source):
    """A file's source: a string, or a list of lines joined with newlines."""
    if isinstance(source, list):
        return "".join(line + "\n" for line in source)
    return source


def file_bytes(source, full):
    """The bytes of the file at `full` for the case format's `source`: UTF-8 text, compiled
    bytecode or a zip archive."""
    if isinstance(source, dict) and "zip" in source:
        return zip_bytes(source["zip"], full)
    if is_bytecode(source):
        return pyc_bytes(source["pyc"], full, BASE_MTIME)
    return source_text(source).encode("utf-8")


def is_bytecode(source):
    return isinstance(source, dict) and "pyc" in source


def with_cache_tag(relative):
    """A case path with "{tag}" standing for the interpreter's cache tag (cpython-311...)."""
    return relative.replace("{tag}", getattr(sys.implementation, "cache_tag", None) or "notag")


def pyc_bytes(data, filename, base_mtime):
    """The bytes of a .pyc file for the case format's {"pyc": data}; its `body` the compiled code
    (default) or `not_code` (a marshalled tuple)."""
    code = compile(source_text(data["source"]), filename, "exec", dont_inherit=True)
    header_source = source_text(data.get("header_source", data["source"])).encode("utf-8")
    kind = data.get("invalidation", "timestamp")
    header = importlib.util.MAGIC_NUMBER + struct.pack("<I", data.get("flags", KINDS[kind]))
    if kind == "timestamp":
        mtime = base_mtime + data.get("mtime_offset", 0)
        header += struct.pack("<II", mtime & 0xFFFFFFFF, data.get("size", len(header_source)) & 0xFFFFFFFF)
    else:
        header += importlib.util.source_hash(header_source)
    whole = header + marshal.dumps(code if data.get("body", "code") == "code" else ("not", "code"))
    return whole[:data["truncate"]] if "truncate" in data else whole


def zip_bytes(entries, full):
    """A zip archive (stored, not compressed) of {relative path: source}; entries may be
    bytecode ({"pyc": ...}) and "{tag}" in their paths stands for the cache tag. Every entry has
    the same date and time; a directory entry ("pkg/") is written for each directory."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        directories = set()
        for relative in sorted(entries):
            name = with_cache_tag(relative)
            parts = name.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                directory = "/".join(parts[:depth]) + "/"
                if directory not in directories:
                    directories.add(directory)
                    archive.writestr(zipfile.ZipInfo(directory, ZIP_TIME), b"")
            source = entries[relative]
            data = (pyc_bytes(source["pyc"], os.path.join(full, name), BASE_MTIME) if is_bytecode(source)
                    else source_text(source).encode("utf-8"))
            archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), data)
    return buffer.getvalue()


def describe_bytecode(root, base_mtime, text):
    """The .pyc files below root, sorted: [path (normalised by `text`), kind, and for a
    timestamp header the source mtime relative to the tree's base and the source size, for a
    hash-based one in __pycache__ whether it holds its source's hash; "foreign" for a file whose magic number
    is not this interpreter's; last, "read-only" for a file its owner may not write]."""
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
                elif flags in (KINDS["checked-hash"], KINDS["unchecked-hash"]):
                    entry.extend(_hash_of(path, head[8:16]))
            if not os.stat(path).st_mode & 0o200:
                entry.append("read-only")
            found.append(entry)
    return found


_SOURCE_HASH = importlib.util.source_hash  # taken before any target loads: a target may patch importlib.util


def _hash_of(path, recorded):
    """For a hash-based cache in a __pycache__ directory whose source file is beside it:
    ["source hash"] if its header holds that source's hash, else ["another source's hash"]
    (whether a recache wrote what it compiled); [] otherwise. The source is found from the path
    alone (dir/__pycache__/name.tag.pyc -> dir/name.py), never by the importlib under test."""
    directory, name = os.path.split(path)
    if os.path.basename(directory) != "__pycache__":
        return []
    try:
        with open(os.path.join(os.path.dirname(directory), name.split(".", 1)[0] + ".py"), "rb") as handle:
            data = handle.read()
    except OSError:
        return []
    return ["source hash" if _SOURCE_HASH(data) == recorded else "another source's hash"]
