"""GET /api/video/<id>/comment/: the stored threads in the usual envelope."""

from functions.services import comments
from tests.conftest import token_headers
from tests.factories import make_channel, make_video, video_id
from tests.test_comments import raw


def test_comments_of_a_video_are_its_threads(client, headers):
    make_channel(1)
    make_video(1)
    comments.store_comments(video_id(1), [raw("a"), raw("a.1", parent="a"), raw("b")])
    for path in (f"/api/video/{video_id(1)}/comment/", f"/api/video/{video_id(1)}/comment"):
        response = client.http.get(path, headers=headers)
        assert response.status_code == 200
        body = response.json_body
        assert set(body) == {"data", "config"}
        assert body["config"]["page_size"] == 12
        assert [t["comment_id"] for t in body["data"]] == ["a", "b"]
        assert body["data"][0]["comment_replies"][0]["comment_id"] == "a.1"
        assert body["data"][0]["comment_replies"][0]["comment_parent"] == "a"


def test_a_video_without_comments_gives_an_empty_list(client, headers):
    make_video(2)
    response = client.http.get(f"/api/video/{video_id(2)}/comment/", headers=headers)
    assert response.status_code == 200 and response.json_body["data"] == []


def test_unknown_and_malformed_videos_are_404(client, headers):
    for path in (f"/api/video/{video_id(9)}/comment/", "/api/video/bad/comment/"):
        response = client.http.get(path, headers=headers)
        assert response.status_code == 404
        assert response.json_body["data"] is False


def test_comments_need_a_user(client, other):
    make_video(1)
    assert client.http.get(f"/api/video/{video_id(1)}/comment/").status_code == 403
    assert client.http.get(f"/api/video/{video_id(1)}/comment/", headers=token_headers(other)).status_code == 200
    assert client.http.post(f"/api/video/{video_id(1)}/comment/", headers=token_headers(other)).status_code == 405
