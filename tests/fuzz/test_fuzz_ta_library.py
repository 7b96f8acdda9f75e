"""Fuzzing the TubeArchivist library: videos, channels, playlists, the download queue, refresh, search,
stats, the proxy (tests/fuzz/harness.py)."""

from tests.fuzz.harness import TA_LIBRARY, fuzz_group


def test_fuzz_every_routed_operation_of_the_group(live, admin):
    fuzz_group(TA_LIBRARY, live, admin)
