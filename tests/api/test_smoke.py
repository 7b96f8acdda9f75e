from tests.conftest import token_headers
from tests.factories import make_channel, make_playlist, make_video


def test_video_list_and_detail(client, admin):
    make_channel(1)
    for n in range(30):
        make_video(n)
    response = client.http.get("/api/video/", headers=token_headers(admin))
    assert response.status_code == 200, response.body
    body = response.json_body
    assert len(body["data"]) == 12
    assert body["paginate"]["total_hits"] == 30
    assert body["paginate"]["last_page"] == 3
    detail = client.http.get("/api/video/vid00000001", headers=token_headers(admin)).json_body
    assert detail["data"]["channel"]["channel_name"] == "Channel 1"
    make_playlist(1, [1, 2, 99])
    pl = client.http.get("/api/playlist/PL0000000000000001/", headers=token_headers(admin)).json_body
    assert [e["downloaded"] for e in pl["data"]["playlist_entries"]] == [True, True, False]
    plv = client.http.get("/api/playlist/PL0000000000000001/video", headers=token_headers(admin)).json_body
    assert plv["paginate"]["total_hits"] == 2
