"""A target with only import_module: steps needing the other functions are unsupported."""
import importlib

import_module = importlib.import_module
