"""hook_fixed_at_install.py with its contract declared: cases whose files change after install
are out of it, by what they do (a case feature), not by field paths."""
from hook_fixed_at_install import INSTALL, install, uninstall  # noqa: F401

IGNORE = {"feature:files-changed": "the hook's view of the project is fixed at install time"}
