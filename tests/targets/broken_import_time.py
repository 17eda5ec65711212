"""Broken target: fails while being loaded."""
raise RuntimeError("this target cannot be loaded")
