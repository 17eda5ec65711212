"""Bytecode caches: reading a .pyc in place of compiling its source, and writing one.

Stdlib only, Python 3.8 syntax. The file layout is PEP 3147's (__pycache__/<stem>.<tag>.pyc,
or below sys.pycache_prefix) and the header PEP 552's: 4 bytes of magic number, 4 bytes of
flags, then either the source's mtime and size (a timestamp .pyc) or a hash of the source (a
hash-based .pyc, checked against the source or not). Observed behaviours cite catalogue cases
of conformance/catalogue/bytecode.json, recorded on CPython 3.8-3.13.
"""
import marshal
import os
import struct
import sys
from importlib.util import MAGIC_NUMBER, source_hash  # the interpreter's bytecode format

from ._verbose import report

__all__ = ["BadBytecode", "cache_path", "code_from_cache", "code_from_sourceless", "write_cache"]

HASH_BASED, CHECK_SOURCE = 0b01, 0b10


def cache_path(source):
    """Where the bytecode of a source file would be cached (PEP 3147, PEP 488, sys.pycache_prefix).

    Observed: __cached__ is <dir>/__pycache__/<stem>.<cache_tag>.pyc (catalogue case
    sys_modules.spec_fields); None when the implementation has no cache tag.
    """
    tag = sys.implementation.cache_tag
    if tag is None:
        return None
    head, tail = os.path.split(source)
    stem = tail.rpartition(".")[0] or tail
    optimize = sys.flags.optimize
    name = "%s.%s%s.pyc" % (stem, tag, ".opt-%d" % optimize if optimize else "")
    prefix = getattr(sys, "pycache_prefix", None)
    if prefix:
        head = os.path.join(prefix, os.path.abspath(head).lstrip(os.sep))
        return os.path.join(head, name)
    return os.path.join(head, "__pycache__", name)


class BadBytecode(Exception):
    """A .pyc that cannot be used: its header is not this interpreter's, or it is stale.
    `flags`: the header's flags where it could be read (a stale hash-based cache is
    rewritten as one of its kind), else 0."""

    def __init__(self, cache, flags=0):
        Exception.__init__(self, cache)
        self.flags = flags


def _flags(data, name, path):
    """The header's flags, once its magic number and length are known good (PEP 552); an
    unusable header raises as the import system's does (cases bytecode.sourceless_bad_magic,
    bytecode.sourceless_truncated_header, bytecode.sourceless_bad_flags). With -v, a bad magic number
    and a short header are reported first, bad flags are not (cases verbose.bytecode,
    verbose.sourceless)."""
    if data[:4] != MAGIC_NUMBER:
        message = "bad magic number in %r: %r" % (name, data[:4])
        report(message)
        raise ImportError(message, name=name, path=path)
    if len(data) < 16:
        message = "reached EOF while reading pyc header of %r" % name
        report(message)
        raise EOFError(message)
    flags = struct.unpack("<I", data[4:8])[0]
    if flags & ~(HASH_BASED | CHECK_SOURCE):
        raise ImportError("invalid flags %r in %r" % (flags, name), name=name, path=path)
    return flags


def _code(data, name, path, source_path):
    code = marshal.loads(data[16:])
    if not isinstance(code, type(_code.__code__)):
        raise ImportError("Non-code object in %r" % (path,), name=name, path=path)
    report("code object from %r" % (path,))  # with -v: the .pyc's path, quoted (cases verbose.*)
    return _with_filename(code, source_path) if source_path else code


def _with_filename(code, filename):
    """The code object as compiled from `filename` (its nested code objects too): a cached
    module's code names its source file, wherever the cache was written."""
    consts = tuple(_with_filename(const, filename) if isinstance(const, type(code)) else const
                   for const in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def code_from_cache(name, cache, source_path, source_stat, read_source):
    """The code in the cache file for a source, if the cache is usable; else BadBytecode.

    A timestamp cache is used when its recorded mtime (whole seconds) and size equal the
    source's: an edit within the same second that keeps the size goes unseen (case
    bytecode.stale_same_second_same_size). A checked hash-based cache is used when the hash of
    the source equals the recorded one; an unchecked one without reading the source (cases
    bytecode.checked_hash_stale, bytecode.unchecked_hash_stale)."""
    try:
        with open(cache, "rb") as handle:
            data = handle.read()
    except OSError:
        raise BadBytecode(cache)
    try:
        flags = _flags(data, name, cache)
    except (ImportError, EOFError):  # a bad header means: compile the source instead
        raise BadBytecode(cache)
    if flags & HASH_BASED:
        if flags & CHECK_SOURCE and source_hash(read_source()) != data[8:16]:
            raise BadBytecode(cache, flags)
    else:
        mtime, size = struct.unpack("<II", data[8:16])
        if mtime != int(source_stat.st_mtime) & 0xFFFFFFFF:
            report("bytecode is stale for %r" % name)  # with -v; not so for another size (case verbose.bytecode)
            raise BadBytecode(cache)
        if size != source_stat.st_size & 0xFFFFFFFF:
            raise BadBytecode(cache)
    # with -v, a cache used is reported as matching its source (case verbose.bytecode)
    report("%s matches %s" % (cache, source_path))
    return _code(data, name, cache, source_path)


def code_from_sourceless(name, path, data):
    """The code of a .pyc with no source: its header must be good, its timestamp or hash is
    not checked (there is nothing to check it against) (case bytecode.sourceless)."""
    _flags(data, name, path)
    return _code(data, name, path, None)


def write_cache(cache, code, source_stat, source_bytes, flags=0):
    """Write the cache file for freshly compiled code, as a timestamp .pyc or, when the cache it
    replaces was hash-based, a hash-based one of the same kind; failures are silent (a cache is
    an optimisation). The file appears whole: written beside, then renamed."""
    if flags & HASH_BASED:
        header = MAGIC_NUMBER + struct.pack("<I", flags) + source_hash(source_bytes)
    else:
        header = MAGIC_NUMBER + struct.pack("<III", 0, int(source_stat.st_mtime) & 0xFFFFFFFF,
                                     source_stat.st_size & 0xFFFFFFFF)
    try:
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        partial = "%s.%d" % (cache, id(code))
        with open(partial, "wb") as handle:
            handle.write(header + marshal.dumps(code))
        os.replace(partial, cache)
    except OSError as exc:
        report("could not create %r: %r" % (cache, exc))
    else:
        report("created %r" % (cache,))  # with -v (case verbose.bytecode)
