"""No public Invidious route reads a table with a Scan: every route the router declares with the OPEN_INVIDIOUS
role is called over a `make demo`-like archive while every DynamoDB operation is counted."""

import pytest

from functions.http.invidious import public as public_routes
from functions.http.routing import OPEN_INVIDIOUS
from tests.invidious.operations import Operations
from tests.invidious.public_archive import archive_catalog

# A query string for the routes that do nothing without one.
QUERIES = {"/search": "?q=video", "/search/suggestions": "?q=vid"}


def public_paths(video, playlist_channel: str) -> list[tuple[str, str]]:
    """(method, path) of every public Invidious route, its parameters naming archived items."""
    values = {"video_id": video.youtube_id, "ucid": playlist_channel, "name": "mqdefault.jpg"}
    calls = []
    for route in public_routes.router.routes:
        assert route.auth == OPEN_INVIDIOUS
        path = route.path.format(**values)
        for method in route.methods:
            calls.append((method, path + next((q for end, q in QUERIES.items() if path.endswith(end)), "")))
    return calls


def test_every_public_invidious_route_reads_without_a_scan(client, aws, fake_youtube, monkeypatch):
    archive = archive_catalog(aws, fake_youtube)
    video = next(v for v in archive.values() if v.subtitles)
    operations = Operations(monkeypatch)
    calls = public_paths(video, video.channel_id)
    assert len(calls) >= 17
    for method, path in calls:
        before = dict(operations.names)
        answer = client.http.request(method, path)
        assert answer.status_code in (200, 302), (path, answer.body)
        used = {name: n - before.get(name, 0) for name, n in operations.names.items() if n != before.get(name, 0)}
        assert "Scan" not in used, (path, used)
    assert operations.names["Query"] > 0  # the counter saw the routes' reads


OWNER = "UC" + "a" * 22


@pytest.mark.parametrize("channel_id", ["", OWNER])
def test_playlists_carry_their_channel_in_the_sparse_index_key(aws, channel_id):
    from functions.services.archive import playlists
    from functions.storage.models import Playlist

    playlists.store(Playlist("PL" + "b" * 16, playlist_name="A list", playlist_channel_id=channel_id))
    stored = Playlist.get("PL" + "b" * 16)
    assert stored.channel_key == (f"{channel_id}#unsubscribed" if channel_id else None)
    found = [p.playlist_id for p in Playlist.by_channel.query(f"{OWNER}#unsubscribed")]
    assert found == (["PL" + "b" * 16] if channel_id else [])
