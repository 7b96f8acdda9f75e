"""Fuzzing the paths outside /api/: the Invidious web pages, sign-in and consent, media and cache redirects,
signed files (tests/fuzz/harness.py)."""

from tests.fuzz.harness import WEB, fuzz_group


def test_fuzz_every_routed_operation_of_the_group(live, admin):
    fuzz_group(WEB, live, admin)
