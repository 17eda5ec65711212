"""future's standard_library.install_hooks(): a meta-path importer that renames Python 2 module
names (ConfigParser, Queue, urllib2...) to their Python 3 homes. A case names none of them, so
nothing should differ."""
from future import standard_library

INSTALL = "before-setup"
IGNORE = {}


def install():
    standard_library.install_hooks()


def uninstall():
    standard_library.remove_hooks()
