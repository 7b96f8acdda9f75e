"""Player positions (functions/services/archive/progress.py): values a DynamoDB number cannot hold are refused or
rounded."""

import pytest

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
