"""/api/v1/stats counts users by the day they last sent a credential, which is written once a day, not per request."""

from datetime import UTC, datetime, timedelta

from functions.core.dates import today
from functions.services.auth import users
from functions.storage.models import ALL_USERS, User
from tests.invidious.iv_helpers import auth
from tests.invidious.operations import Operations


def active(client) -> dict:
    return client.http.get("/api/v1/stats").json_body["usage"]["users"]


def days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%d")


def test_only_users_who_sent_a_credential_are_active(client, admin, monkeypatch):
    users.create_user("idle", "idle-password")
    assert active(client) == {"total": 2, "activeHalfyear": 0, "activeMonth": 0}
    headers = auth(admin)
    operations = Operations(monkeypatch)
    answer = client.http.get("/api/v1/auth/feed", headers=headers)
    assert answer.status_code == 200
    assert operations.names["UpdateItem"] == 2  # the token's session and the user, once today
    assert User.get("admin").last_seen == today()
    assert active(client) == {"total": 2, "activeHalfyear": 1, "activeMonth": 1}
    for _ in range(3):
        assert client.http.get("/api/v1/auth/feed", headers=headers).status_code == 200
    assert operations.names["UpdateItem"] == 2  # later requests of the day write nothing


def test_old_activity_leaves_the_month_first(client, admin):
    assert client.http.get("/api/v1/auth/feed", headers=auth(admin)).status_code == 200
    old = users.create_user("old", "old-password")
    old.update(actions=[User.last_seen.set(days_ago(40)), User.all_users.set(ALL_USERS)])
    gone = users.create_user("gone", "gone-password")
    gone.update(actions=[User.last_seen.set(days_ago(200)), User.all_users.set(ALL_USERS)])
    assert active(client) == {"total": 3, "activeHalfyear": 2, "activeMonth": 1}
