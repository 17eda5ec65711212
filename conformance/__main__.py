"""`python -m conformance`: see conformance._cli."""
import sys

from conformance._cli import main

sys.exit(main())
