"""Fuzzing the Invidious API (/api/v1/) (tests/fuzz/harness.py)."""

from tests.fuzz.harness import INVIDIOUS, fuzz_group


def test_fuzz_every_routed_operation_of_the_group(live, admin):
    fuzz_group(INVIDIOUS, live, admin)
