"""/api/snapshot/ and /api/snapshot/<id>/: list, create (answered at once, run by the job), detail, restore, delete."""

import re

import pytest

from functions.core.settings import get_settings
from functions.services import snapshots
from functions.storage import s3
from functions.storage.aws import client as bucket_client
from functions.storage.models import AppSetting
from tests.conftest import token_headers
from tests.factories import make_channel, make_playlist, make_video, video_id
from tests.test_snapshots import damage_manifest, run_snapshot_jobs, tables, wipe

JSON = {"Content-Type": "application/json"}
VIEWS = (
    "/api/video/",
    f"/api/video/{video_id(1)}/",
    "/api/channel/",
    "/api/playlist/",
    "/api/playlist/PL0000000000000001/",
)


@pytest.fixture
def archive(admin):
    make_channel(1, subscribed=True)
    for n in range(1, 5):
        make_video(n)
    make_playlist(1, [1, 2])


def create(client, headers) -> str:
    response = client.http.post("/api/snapshot/", headers=headers)
    assert response.status_code == 200
    (name,) = response.json_body.values()
    assert set(response.json_body) == {"snapshot_name"}
    return name


def views(client, headers) -> dict:
    return {path: client.http.get(path, headers=headers).json_body for path in VIEWS}


def test_create_answers_at_once_and_the_job_finishes_it(client, headers, archive):
    name = create(client, headers)
    assert re.fullmatch(r"ta_daily_[a-z0-9]{16}", name)
    pending = client.http.get(f"/api/snapshot/{name}/", headers=headers).json_body
    assert pending["state"] == "IN_PROGRESS" and "end_stamp" not in pending
    assert run_snapshot_jobs() == 1
    done = client.http.get(f"/api/snapshot/{name}", headers=headers).json_body
    assert set(done) == {"id", "state", "es_version", "start_date", "end_date", "end_stamp", "duration_s"}
    assert done["id"] == name and done["state"] == "SUCCESS" and done["es_version"] == snapshots.FORMAT_VERSION
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", done["start_date"])
    assert isinstance(done["end_stamp"], int) and done["duration_s"] >= 0


def test_the_list_gives_the_schedule_and_snapshots_newest_first(client, headers, archive):
    first = create(client, headers)
    snapshot = snapshots.get(first)
    snapshot.update(actions=[type(snapshot).start_stamp.set(snapshot.start_stamp - 60)])
    second = create(client, headers)
    run_snapshot_jobs()
    body = client.http.get("/api/snapshot/", headers=headers).json_body
    assert set(body) == {"next_exec", "next_exec_str", "expire_after", "snapshots"}
    assert body["expire_after"] == "30d"
    assert isinstance(body["next_exec"], int) and body["next_exec"] % 86400 == 3 * 3600
    assert body["next_exec_str"].endswith("03:00:00")
    assert [s["id"] for s in body["snapshots"]] == [second, first]


def test_restore_brings_the_archive_back(client, headers, archive):
    name = create(client, headers)
    run_snapshot_jobs()
    before, before_tables = views(client, headers), tables()
    assert client.http.delete(f"/api/video/{video_id(1)}/", headers=headers).status_code == 200
    make_video(30)
    assert views(client, headers) != before
    response = client.http.post(f"/api/snapshot/{name}/", headers=headers)
    assert response.status_code == 200 and response.json_body == {"accepted": True}
    assert run_snapshot_jobs() == 1
    assert views(client, headers) == before
    assert tables() == before_tables


def test_search_answers_the_same_after_a_restore(client, headers, archive):
    """The search index is more tables: a wiped archive restored answers every search as before."""
    from app import app

    if "/api/search" not in app.routes:
        pytest.skip("no search endpoint yet")
    queries = ("video", "video:video 1", "channel:channel", "playlist:playlist")
    before = {q: client.http.get(f"/api/search/?query={q}", headers=headers).json_body for q in queries}
    assert before["video"]["results"]["video_results"] and before["channel:channel"]["results"]["channel_results"]
    name = create(client, headers)
    run_snapshot_jobs()
    wipe()  # users and their tokens too: the restore brings them back
    snapshots.request_restore(name)
    run_snapshot_jobs()
    assert {q: client.http.get(f"/api/search/?query={q}", headers=headers).json_body for q in queries} == before


def test_restoring_a_damaged_snapshot_is_400_and_changes_nothing(client, headers, archive):
    name = create(client, headers)
    run_snapshot_jobs()
    client.http.delete(f"/api/video/{video_id(1)}/", headers=headers)
    before = tables()
    damage_manifest(name)
    response = client.http.post(f"/api/snapshot/{name}/", headers=headers)
    assert response.status_code == 400 and "damaged" in response.json_body["error"]
    assert run_snapshot_jobs() == 0
    assert tables() == before


def test_restoring_a_snapshot_whose_files_are_gone_is_400(client, headers, archive):
    name = create(client, headers)
    run_snapshot_jobs()
    s3.delete_objects([s3.snapshot_manifest_key(name)])
    response = client.http.post(f"/api/snapshot/{name}/", headers=headers)
    assert response.status_code == 400 and "missing" in response.json_body["error"]


def test_delete_removes_the_snapshot(client, headers, archive):
    name = create(client, headers)
    run_snapshot_jobs()
    response = client.http.delete(f"/api/snapshot/{name}/", headers=headers)
    assert response.status_code == 200 and response.json_body == {"acknowledged": True}
    assert client.http.get(f"/api/snapshot/{name}/", headers=headers).status_code == 404
    listed = bucket_client("s3").list_objects_v2(Bucket=get_settings().media_bucket, Prefix=s3.snapshot_prefix(name))
    assert listed.get("KeyCount", 0) == 0


def test_unknown_snapshots_are_404(client, headers):
    for name in ("ta_daily_0000000000000000", "nope", "ta_daily_..%2F..%2Fx"):
        for method in ("GET", "POST", "DELETE"):
            response = client.http.request(method, f"/api/snapshot/{name}/", headers=headers)
            assert response.status_code == 404, (method, name)
            assert response.json_body["data"] is False


def test_disabled_snapshots(client, headers):
    AppSetting("app", value={"application": {"enable_snapshot": False}}).save()
    body = client.http.get("/api/snapshot/", headers=headers).json_body
    assert body["next_exec"] is None and body["next_exec_str"] is None and body["snapshots"] == []
    response = client.http.post("/api/snapshot/", headers=headers)
    assert response.status_code == 400 and "enable_snapshot" in response.json_body["error"]


def test_snapshots_are_for_admins_only(client, admin, other):
    assert client.http.get("/api/snapshot/").status_code == 403
    for method, path in (("GET", "/api/snapshot/"), ("POST", "/api/snapshot/"), ("GET", "/api/snapshot/x/")):
        response = client.http.request(method, path, headers=token_headers(other))
        assert response.status_code == 403 and "permission" in response.json_body["detail"]
    assert snapshots.newest_first() == []


def test_other_methods_are_405(client, headers):
    assert client.http.put("/api/snapshot/", headers=headers).status_code == 405
    assert client.http.patch("/api/snapshot/ta_daily_0000000000000000/", headers=headers).status_code == 405
