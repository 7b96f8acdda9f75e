"""Player positions (functions/services/archive/progress.py): values a DynamoDB number cannot hold are refused or
rounded; a state written over a stale read counts once."""

import pytest

from functions.services.archive import progress
from functions.storage import counters, db
from functions.storage.models import Counter, UserVideo
from tests.conftest import token_headers
from tests.factories import make_channel, make_video

VIDEO = "vid00000001"
PATH = f"/api/video/{VIDEO}/progress"


@pytest.fixture
def video(aws):
    make_channel(1)
    return make_video(1, duration=3600)


def post(client, user, position):
    return client.http.post(
        PATH, headers={**token_headers(user), "Content-Type": "application/json"}, body=f'{{"position": {position}}}'
    )


@pytest.mark.parametrize("position", ["1e300", "10000000000000000000000000000000000000000", "-1", "true", '"5"'])
def test_positions_out_of_range_are_400(client, admin, video, position):
    response = post(client, admin, position)
    assert response.status_code == 400, position
    assert "error" in response.json_body
    assert client.http.get(PATH, headers=token_headers(admin)).json_body["position"] == 0


def test_positions_are_kept_to_the_millisecond(client, admin, video):
    assert post(client, admin, "1e-200").json_body["position"] == 0  # below DynamoDB's smallest number
    assert post(client, admin, "12.3456").json_body["position"] == 12.346
    assert client.http.get(PATH, headers=token_headers(admin)).json_body["position"] == 12.346
    assert post(client, admin, "1000000000").status_code == 200


def test_a_write_over_a_stale_read_reads_again_and_counts_once(client, admin, video):
    """Two writes of one state racing: the second read the state before the first wrote it."""
    user_id = int(admin.user_id)
    assert post(client, admin, "600").status_code == 200  # in progress
    assert post(client, admin, "3500").status_code == 200  # then watched: off the continue list
    stale = None  # what a write that read before both sees
    progress.write_state(user_id, VIDEO, video, stale, progress.marked(True))  # its condition fails: read again
    names = [counters.watched_by(user_id), counters.in_progress_by(user_id)]
    (found,) = db.batch_get((Counter, names))
    assert [int(found[name].count) for name in names] == [1, 0]
    assert counters.recount(names) == dict(zip(names, [1, 0], strict=True))
    assert UserVideo.get(user_id, VIDEO).watch_state == f"{user_id}#watched"
