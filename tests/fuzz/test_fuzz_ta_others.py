"""Fuzzing the rest of the TubeArchivist API: tasks, users, sessions, notifications, ping, the docs
(tests/fuzz/harness.py)."""

from tests.fuzz.harness import TA_OTHERS, fuzz_group


def test_fuzz_every_routed_operation_of_the_group(live, admin):
    fuzz_group(TA_OTHERS, live, admin)
