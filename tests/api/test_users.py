"""/api/users/...: who is signed in, a user's unfinished videos, and the admin's user management (create, reset a
password, a new API token, remove); non-admins are refused every admin route."""

import json

import pytest

from functions.services.auth import users
from tests.api.calls import send
from tests.conftest import token_headers
from tests.factories import make_channel, make_video, video_id


def body(response):
    return json.loads(response.body) if response.body else None


def test_me_answers_signed_out_without_a_refusal(client, admin):
    assert body(send(client, "GET", "/api/users/me/")) == {"signed_in": False}
    me = body(send(client, "GET", "/api/users/me/", admin))
    assert me["signed_in"] is True and me["username"] == "admin" and me["is_admin"] is True
    assert "api_token" not in me and "password_hash" not in me


def test_an_admin_creates_a_user_who_can_sign_in(client, admin):
    created = send(
        client, "POST", "/api/users/", admin, {"username": "newcomer", "password": "pw-1", "is_admin": False}
    )
    assert created.status_code == 201
    token = body(created)["token"]
    assert body(send(client, "GET", "/api/ping/", headers=token_headers(users.get_user("newcomer"))))["user"]
    assert users.get_user("newcomer").api_token == token
    assert send(client, "POST", "/api/login/", body={"username": "newcomer", "password": "pw-1"}).status_code == 200
    listed = body(send(client, "GET", "/api/users/", admin))["data"]
    assert [u["username"] for u in listed] == ["admin", "newcomer"]
    again = send(client, "POST", "/api/users/", admin, {"username": "newcomer", "password": "other"})
    assert again.status_code == 409
    assert send(client, "POST", "/api/users/", admin, {"username": "bad name!", "password": "x"}).status_code == 400
    assert send(client, "POST", "/api/users/", admin, {"username": "x"}).status_code == 400


def test_a_reset_password_replaces_the_old_one(client, admin, other):
    answer = send(client, "POST", "/api/users/other/password/", admin, {"password": "new-password"})
    assert answer.status_code == 200
    assert (
        send(client, "POST", "/api/login/", body={"username": "other", "password": "other-password"}).status_code == 400
    )
    assert (
        send(client, "POST", "/api/login/", body={"username": "other", "password": "new-password"}).status_code == 200
    )
    assert send(client, "POST", "/api/users/nobody/password/", admin, {"password": "x"}).status_code == 404


def test_a_new_token_ends_the_old_one(client, admin, other):
    old = token_headers(other)
    answer = body(send(client, "POST", "/api/users/other/token/", admin))
    assert send(client, "GET", "/api/ping/", headers=old).status_code == 403
    assert send(client, "GET", "/api/ping/", headers={"Authorization": f"Token {answer['token']}"}).status_code == 200


def test_an_admin_removes_a_user_but_not_themselves(client, admin, other):
    assert send(client, "DELETE", "/api/users/other/", admin).status_code == 204
    assert send(client, "GET", "/api/ping/", other).status_code == 403
    assert send(client, "DELETE", "/api/users/admin/", admin).status_code == 400
    assert send(client, "DELETE", "/api/users/other/", admin).status_code == 404


def test_non_admins_are_refused_every_admin_route(client, admin, other):
    for method, path, sent in (
        ("GET", "/api/users/", None),
        ("POST", "/api/users/", {"username": "x", "password": "y"}),
        ("POST", "/api/users/admin/password/", {"password": "mine-now"}),
        ("POST", "/api/users/admin/token/", None),
        ("DELETE", "/api/users/admin/", None),
    ):
        answer = send(client, method, path, other, sent)
        assert answer.status_code == 403, (method, path)
    assert (
        send(client, "POST", "/api/login/", body={"username": "admin", "password": "admin-password"}).status_code == 200
    )


def test_continue_watching_lists_started_unfinished_videos(client, admin, other):
    make_channel(1)
    for n in (1, 2, 3):
        make_video(n, duration=600)
    send(client, "POST", f"/api/video/{video_id(1)}/progress/", admin, {"position": 120})
    send(client, "POST", f"/api/video/{video_id(2)}/progress/", admin, {"position": 590})  # past 90 %: watched
    send(client, "POST", f"/api/video/{video_id(3)}/progress/", other, {"position": 30})  # someone else's
    started = body(send(client, "GET", "/api/users/me/continue/", admin))["data"]
    assert [(v["youtube_id"], v["player"]["position"]) for v in started] == [(video_id(1), 120.0)]
    assert send(client, "GET", "/api/users/me/continue/").status_code == 403


def test_continue_watching_reads_the_newest_unfinished_videos_only(client, admin, monkeypatch):
    from functions.services.archive import continue_watching
    from tests.api.calls import record_dynamodb

    make_channel(1)
    for n in range(1, 31):
        make_video(n, published=f"2024-{(n - 1) // 28 + 1:02d}-{(n - 1) % 28 + 1:02d}", duration=600)
        send(client, "POST", f"/api/video/{video_id(n)}/progress/", admin, {"position": 60})
    send(client, "POST", f"/api/video/{video_id(30)}/progress/", admin, {"position": 590})  # now watched
    calls = record_dynamodb(monkeypatch)
    started = body(send(client, "GET", "/api/users/me/continue/", admin))["data"]
    newest_first = [video_id(n) for n in range(29, 0, -1)]
    assert [v["youtube_id"] for v in started] == newest_first[: continue_watching.LIMIT]
    queries = [kwargs for operation, kwargs in calls if operation in ("Query", "Scan")]
    assert len(queries) == 1 and queries[0]["Limit"] == continue_watching.LIMIT, queries  # not every state read


def test_the_users_list_is_the_counter_creates_and_removes_keep(client, admin, other, monkeypatch):
    from tests.api.calls import record_dynamodb

    def listed() -> list[str]:
        return [user["username"] for user in body(send(client, "GET", "/api/users/", admin))["data"]]

    assert listed() == ["admin", "other"]
    assert send(client, "DELETE", "/api/users/other/", admin).status_code == 204
    users.create_user("newcomer", "pw-1")
    calls = record_dynamodb(monkeypatch)
    assert listed() == ["admin", "newcomer"]
    assert "Scan" not in [operation for operation, _ in calls]


@pytest.mark.parametrize("command", ["reindex", "recount"])
def test_an_archive_older_than_the_users_counter_gets_it_from_the_cli(client, admin, other, command, capsys):
    """The list reads only the counter (tests/api/test_no_scan.py): the CLI's repairs set it on an old archive."""
    from functions.storage import counters
    from functions.storage.models import Counter
    from infra import cli

    Counter(counters.USERS).delete()
    assert cli.main([command]) == 0
    assert Counter.get(counters.USERS).members == {"admin", "other"}
    assert [user["username"] for user in body(send(client, "GET", "/api/users/", admin))["data"]] == ["admin", "other"]
