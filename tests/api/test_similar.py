"""GET /api/video/<id>/similar/: up to six videos sharing the most tags and title words."""

from tests.conftest import token_headers
from tests.factories import make_channel, make_video, video_id
from tests.search.dynamo_calls import counting


def similar(client, user, n: int):
    return client.http.get(f"/api/video/{video_id(n)}/similar/", headers=token_headers(user))


def test_ranked_by_shared_tags_and_title_words(client, admin, aws):
    make_channel(1)
    make_video(1, title="Guitar chords for beginners", tags=["guitar", "chords", "beginner"])
    make_video(2, title="Advanced guitar chords", tags=["guitar", "chords"])
    make_video(3, title="Piano for beginners", tags=["piano", "beginner"])
    make_video(4, title="Cooking pasta", tags=["food"])
    response = similar(client, admin, 1)
    assert response.status_code == 200, response.body
    body = response.json_body
    assert [v["youtube_id"] for v in body["data"]] == [video_id(2), video_id(3)]
    assert set(body) == {"data", "config"}
    detail = client.http.get(f"/api/video/{video_id(2)}/", headers=token_headers(admin)).json_body["data"]
    assert body["data"][0] == detail


def test_at_most_six_and_never_itself(client, admin, aws):
    make_channel(1)
    for n in range(10):
        make_video(n, title=f"Drum lesson {n}", tags=["drums"])
    body = similar(client, admin, 0).json_body
    assert len(body["data"]) == 6
    assert video_id(0) not in [v["youtube_id"] for v in body["data"]]


def test_404_when_nothing_is_similar_or_the_video_is_unknown(client, admin, aws):
    make_channel(1)
    make_video(1, title="Guitar chords", tags=["guitar"])
    make_video(2, title="Cooking pasta", tags=["food"])
    response = similar(client, admin, 1)
    assert response.status_code == 404
    assert response.json_body["data"] is False
    assert similar(client, admin, 99).status_code == 404
    assert client.http.get("/api/video/not-an-id/similar/", headers=token_headers(admin)).status_code == 404


def test_deleted_videos_are_not_suggested(client, admin, aws):
    make_channel(1)
    make_video(1, title="Guitar chords", tags=["guitar"])
    make_video(2, title="Guitar solo", tags=["guitar"])
    make_video(3, title="Guitar tuning", tags=["guitar"])
    client.http.delete(f"/api/video/{video_id(2)}/", headers=token_headers(admin))
    body = similar(client, admin, 1).json_body
    assert [v["youtube_id"] for v in body["data"]] == [video_id(3)]


def test_needs_a_user_and_costs_a_few_calls(client, admin, aws):
    make_channel(1)
    make_video(1, title="Guitar chords", tags=["guitar"])
    make_video(2, title="Guitar solo", tags=["guitar"])
    assert client.http.get(f"/api/video/{video_id(1)}/similar/").status_code == 403
    with counting() as calls:
        assert similar(client, admin, 1).status_code == 200
    assert sum(calls.values()) <= 5, calls
