"""six: importing it puts its six.moves meta-path importer on sys.meta_path (at import: the
issue of import-time side effects). install() has nothing more to do."""
import six  # noqa: F401

IGNORE = {}


def install():
    pass
