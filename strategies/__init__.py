"""Hypothesis strategies for import scenarios, producing cases in the conformance case format.

    from conformance.strategies import cases, Policy
    @given(cases())
    def test(case): ...

Every generated case can be saved, replayed with `python -m conformance check --cases`,
shrunk and reported. Host side only (needs Hypothesis).
"""
from ._cases import (build_case, case_from, cases, generated_case, generated_parts, generated_size,
                               generated_steps, generated_with_steps, generated_allowing)
from ._policy import DEFAULT, Policy, describe_policy, mentions, parse_policy, policies
from ._trees import trees

__all__ = ["cases", "generated_case", "generated_size", "generated_parts", "generated_steps",
           "generated_with_steps", "generated_allowing", "build_case", "case_from", "trees", "policies", "Policy",
           "DEFAULT", "parse_policy", "describe_policy", "mentions"]
