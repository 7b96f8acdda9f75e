"""Fuzzing the TubeArchivist settings: appsettings, snapshots, the cookie (tests/fuzz/harness.py)."""

from tests.fuzz.harness import TA_SETTINGS, fuzz_group


def test_fuzz_every_routed_operation_of_the_group(live, admin):
    fuzz_group(TA_SETTINGS, live, admin)
