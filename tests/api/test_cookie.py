"""/api/cookie/: import, validation against the account's Liked Videos (real yt-dlp, local stand-in YouTube),
the stored state, and the cookie never leaving the server."""

import json

import pytest

from functions.jobs import refresh as refresh_job
from functions.services import cookies, refresh
from functions.services.archive import videos
from functions.storage.models import Video
from functions.youtube import ytdlp
from tests.conftest import token_headers
from tests.fake_account import EXTRACTOR

SECRET_VALUE = "s3cr3t-session-value"
GOOD = f"# Netscape HTTP Cookie File\n.youtube.com\tTRUE\t/\tTRUE\t2147483647\tSID\t{SECRET_VALUE}\n"
EXPIRED = "# Netscape HTTP Cookie File\n.youtube.com\tTRUE\t/\tTRUE\t2147483647\tSID\texpired\n"
FAILED = {"cookie_import": "fail", "cookie_validated": False}


@pytest.fixture
def account(fake_youtube, monkeypatch, aws):
    """yt-dlp reads a YouTube with an account; the stack's cookie secret is emptied afterwards."""
    monkeypatch.setenv("YTDLP_TEST_EXTRACTOR", EXTRACTOR)
    yield fake_youtube
    cookies.revoke()


def put(client, headers, cookie):
    return client.http.put(
        "/api/cookie/", headers={**headers, "Content-Type": "application/json"}, body=json.dumps({"cookie": cookie})
    )


def test_no_cookie_yet(client, headers, account):
    response = client.http.get("/api/cookie/", headers=headers)
    assert response.status_code == 200
    assert response.json_body == {"cookie_enabled": False, "status": False, "validated": False, "validated_str": False}


def test_a_working_cookie_is_imported_validated_and_used(client, headers, account):
    response = put(client, headers, GOOD)
    assert response.status_code == 200 and response.json_body == {"cookie_import": "done", "cookie_validated": True}
    status = client.http.get("/api/cookie/", headers=headers).json_body
    assert status["cookie_enabled"] is True and status["status"] is True
    assert isinstance(status["validated"], int) and status["validated_str"]
    assert client.http.post("/api/cookie/", headers=headers).json_body == {"cookie_validated": True}
    assert cookies.current_cookie() == GOOD  # what the jobs hand to yt-dlp


def test_a_rejected_cookie_is_400_and_not_kept(client, headers, account):
    put(client, headers, GOOD)
    response = put(client, headers, EXPIRED)
    assert response.status_code == 400 and response.json_body == FAILED
    status = client.http.get("/api/cookie/", headers=headers).json_body
    assert status["cookie_enabled"] is False and status["status"] is False and "no longer valid" in status["message"]
    assert cookies.stored_cookie() is None and cookies.current_cookie() is None
    assert client.http.post("/api/cookie/", headers=headers).json_body == {"cookie_validated": False}


def test_text_that_is_not_a_cookie_file_is_refused(client, headers, account):
    response = put(client, headers, "SID=abc; HSID=def")
    assert response.status_code == 400 and response.json_body == FAILED
    assert "Netscape" in client.http.get("/api/cookie/", headers=headers).json_body["message"]


def test_bad_bodies_are_400(client, headers, account):
    for body in ({}, {"cookie": ""}, {"cookie": 5}, ["x"]):
        response = client.http.put(
            "/api/cookie/", headers={**headers, "Content-Type": "application/json"}, body=json.dumps(body)
        )
        assert response.status_code == 400 and "error" in response.json_body, body
    response = put(client, headers, "x" * 70000)
    assert response.status_code in (400, 413)


def test_cookie_is_for_admins_only(client, other, account):
    assert client.http.get("/api/cookie/", headers=token_headers(other)).status_code == 403
    assert put(client, token_headers(other), GOOD).status_code == 403
    assert client.http.post("/api/cookie/", headers=token_headers(other)).status_code == 403


def test_the_cookie_never_appears_in_any_response(client, headers, account):
    answers = [
        put(client, headers, GOOD),
        client.http.get("/api/cookie/", headers=headers),
        client.http.post("/api/cookie/", headers=headers),
        client.http.get("/api/task/", headers=headers),
        client.http.get("/api/refresh/", headers=headers),
        client.http.get("/api/channel/", headers=headers),
        put(client, headers, EXPIRED.replace("expired", f"expired{SECRET_VALUE}")),
        client.http.get("/api/cookie/", headers=headers),
    ]
    for response in answers:
        text = response.body.decode() if isinstance(response.body, bytes) else str(response.body)
        assert SECRET_VALUE not in text and "Netscape HTTP Cookie File" not in text


def test_a_job_meeting_a_rejected_cookie_records_it(client, headers, account):
    source = next(iter(account.catalog.videos.values()))
    videos.save(
        Video(source.youtube_id, title="t", published="2024-01-01", date_downloaded=1, channel_id="UC" + "a" * 22)
    )
    assert put(client, headers, GOOD).status_code == 200
    cookies.store(EXPIRED)  # the session expired since
    cookies.record_validation(True)
    source.fault = "login"
    refresh.enqueue([("video", source.youtube_id)])
    body = json.dumps({"action": "refresh", "kind": "video", "id": source.youtube_id})
    with pytest.raises(ytdlp.CookieRejected, match="refused the cookie"):
        refresh_job.handle(body)
    status = client.http.get("/api/cookie/", headers=headers).json_body
    assert status["status"] is False and "refused the cookie" in status["message"]
