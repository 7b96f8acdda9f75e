"""GET and POST /api/video/<id>/sponsor/."""

from tests.factories import make_video, video_id

DATA = {
    "last_refresh": 1_700_000_000,
    "has_unlocked": False,
    "is_enabled": True,
    "segments": [{"segment": [5.0, 10.5], "UUID": "u1", "category": "sponsor", "actionType": "skip", "locked": 1}],
}
JSON = {"Content-Type": "application/json"}


def test_get_gives_the_stored_data(client, headers):
    make_video(1, sponsorblock=DATA)
    for path in (f"/api/video/{video_id(1)}/sponsor/", f"/api/video/{video_id(1)}/sponsor"):
        response = client.http.get(path, headers=headers)
        assert response.status_code == 200
        assert response.json_body == DATA


def test_get_gives_null_without_data(client, headers):
    make_video(2)
    response = client.http.get(f"/api/video/{video_id(2)}/sponsor/", headers=headers)
    assert response.status_code == 200 and response.body == b"null"


def test_the_video_shows_its_sponsorblock_data(client, headers):
    make_video(1, sponsorblock=DATA)
    assert client.http.get(f"/api/video/{video_id(1)}/", headers=headers).json_body["data"]["sponsorblock"] == DATA


def test_unknown_or_malformed_video_is_404(client, headers):
    for path in (f"/api/video/{video_id(9)}/sponsor/", "/api/video/x/sponsor/"):
        assert client.http.get(path, headers=headers).status_code == 404
        post = client.http.post(path, headers={**headers, **JSON}, body='{"vote": {"uuid": "u", "yourVote": 1}}')
        assert post.status_code == 404


def test_post_simulates_votes_and_segments(client, headers):
    make_video(1)
    path = f"/api/video/{video_id(1)}/sponsor/"
    for body in ('{"vote": {"uuid": "u1", "yourVote": 1}}', '{"segment": {"startTime": 5, "endTime": 10.5}}'):
        response = client.http.post(path, headers={**headers, **JSON}, body=body)
        assert response.status_code == 200 and response.json_body == {"success": True}
    assert client.http.get(path, headers=headers).body == b"null"  # nothing was stored


def test_post_refuses_bad_bodies_with_400(client, headers):
    make_video(1)
    path = f"/api/video/{video_id(1)}/sponsor/"
    for body in (
        '{"vote": {"uuid": "u1", "yourVote": 5}}',
        '{"segment": {"startTime": 10, "endTime": 5}}',
        '{"other": 1}',
        "[]",
        "{not json",
        "",
    ):
        response = client.http.post(path, headers={**headers, **JSON}, body=body)
        assert response.status_code == 400, body
        assert "error" in response.json_body


def test_sponsor_needs_a_user(client):
    make_video(1)
    assert client.http.get(f"/api/video/{video_id(1)}/sponsor/").status_code == 403
