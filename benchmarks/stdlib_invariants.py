"""Measurement: which promises of the import system (docs/invariants.md) the standard library
itself breaks on generated cases, the stdlib alone in a pool of workers.

    python benchmarks/stdlib_invariants.py [--python 3.12] [--cases 1500] [--seed 7]

Prints, per promise, how many steps broke it, and the first such case (a case breaking a
promise itself, as a package that replaces its own sys.modules entry does, makes the stdlib
break it too; docs/invariants.md lists what was seen).
"""
from __future__ import annotations

import argparse
import collections
import json
import random

from conformance._interpreters import resolve
from conformance._pool import Pool
from conformance.strategies import DEFAULT, generated_case, generated_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", default="3.12")
    parser.add_argument("--cases", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    pool = Pool(resolve(args.python), 2, targets=["stdlib"])
    rng, broken, first = random.Random(args.seed), collections.Counter(), {}
    try:
        for _ in range(args.cases):
            case = generated_case(DEFAULT, rng.randbytes(generated_size(DEFAULT)))
            (result,) = pool.run(case, ["stdlib"], 5.0)
            for step in result.get("steps", []):
                for name in step.get("invariants", []) if isinstance(step, dict) else []:
                    broken[name] += 1
                    first.setdefault(name, case)
    finally:
        pool.close()
    print("%s, %d generated cases (seed %d): %s" % (args.python, args.cases, args.seed,
                                                    dict(broken) or "no promise broken"))
    for name, case in first.items():
        print("first case breaking %s: %s" % (name, json.dumps(case)))


if __name__ == "__main__":
    main()
