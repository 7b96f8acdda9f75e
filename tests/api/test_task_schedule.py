"""The schedules through both APIs: v0.5's /api/task/schedule/ (+ `<task_name>/`) with TubeArchivist v0.5.9's
fields and statuses, v0.4's `scheduler` section of /api/appsettings/config/ and the settings CLI, all one setting."""

import pytest

from functions.core.dialects import V05
from functions.core.settings import DEFAULT_SCHEDULES
from functions.services import app_settings
from functions.services.auth import users
from tests.api.calls import send

ROW_FIELDS = {"name", "schedule", "schedule_human", "last_run_at", "config"}


@pytest.fixture
def modern(aws):
    return users.create_user("frontend", "frontend-password", is_admin=True, dialect=V05)


def test_the_list_shows_every_schedule_that_is_on(client, modern):
    response = send(client, "GET", "/api/task/schedule/", modern)
    assert response.status_code == 200
    rows = response.json_body
    assert [row["name"] for row in rows] == ["update_subscribed", "run_snapshot", "autodelete", "run_backup"]
    assert all(set(row) == ROW_FIELDS for row in rows)
    rescan = rows[0]
    assert rescan["schedule"] == "0 */6 *" and rescan["config"] == {} and rescan["last_run_at"] is None
    assert rescan["schedule_human"] == "At 00:00, 06:00, 12:00, 18:00 (UTC)"


def test_post_changes_a_schedule_delete_turns_it_off(client, modern):
    response = send(client, "POST", "/api/task/schedule/run_snapshot/", modern, {"schedule": "30 4 0"})
    assert response.status_code == 200
    assert response.json_body["schedule"] == "30 4 0" and "Sunday" in response.json_body["schedule_human"]
    assert send(client, "GET", "/api/task/schedule/run_snapshot/", modern).json_body == response.json_body
    assert app_settings.current()["scheduler"]["run_snapshot"] == "30 4 0"

    response = send(client, "POST", "/api/task/schedule/run_snapshot/", modern, {"schedule": "0 2 1 * *"})
    assert response.json_body["schedule"] == "0 2 1 * *"  # five fields where three do not say it all
    response = send(client, "POST", "/api/task/schedule/run_snapshot/", modern, {"schedule": "0 2 * * *"})
    assert response.json_body["schedule"] == "0 2 *"

    response = send(client, "DELETE", "/api/task/schedule/run_snapshot/", modern)
    assert response.status_code == 204 and response.body in (b"", "")
    assert app_settings.current()["scheduler"]["run_snapshot"] is False
    assert send(client, "GET", "/api/task/schedule/run_snapshot/", modern).status_code == 404
    assert send(client, "DELETE", "/api/task/schedule/run_snapshot/", modern).status_code == 404
    names = [row["name"] for row in send(client, "GET", "/api/task/schedule/", modern).json_body]
    assert names == ["update_subscribed", "autodelete", "run_backup"]

    response = send(client, "POST", "/api/task/schedule/run_snapshot/", modern, {"schedule": "auto"})
    assert response.status_code == 200 and response.json_body["schedule"] == DEFAULT_SCHEDULES["run_snapshot"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"schedule": "*/10 * *"}, "minutes"),
        ({"schedule": "0 8"}, "three cron schedule fields"),
        ({"schedule": "0 8 1 * 1"}, "not both"),
        ({"schedule": "0"}, "DELETE"),
        ({}, "expected schedule or config key"),
        ({"config": {"days": 90}}, "doesn't take config"),
        ({"schedule": 8}, "schedule"),
    ],
)
def test_a_bad_change_is_a_400_and_changes_nothing(client, modern, body, says):
    response = send(client, "POST", "/api/task/schedule/update_subscribed/", modern, body)
    assert response.status_code == 400 and says in response.json_body["error"]
    assert app_settings.current()["scheduler"] == DEFAULT_SCHEDULES


def test_the_backup_schedule_and_its_rotation_round_trip(client, admin, modern):
    """run_backup's row carries TubeArchivist's `rotate` config: application.backup_rotate, the same setting v0.4
    reads and changes."""
    row = send(client, "GET", "/api/task/schedule/run_backup/", modern).json_body
    assert (row["schedule"], row["config"]) == ("0 18 0", {"rotate": 5})
    assert "Sunday" in row["schedule_human"]
    response = send(
        client, "POST", "/api/task/schedule/run_backup/", modern, {"schedule": "15 2 6", "config": {"rotate": 3}}
    )
    assert response.status_code == 200
    assert (response.json_body["schedule"], response.json_body["config"]) == ("15 2 6", {"rotate": 3})
    assert send(client, "GET", "/api/task/schedule/run_backup/", modern).json_body == response.json_body
    config = send(client, "GET", "/api/appsettings/config/", admin).json_body
    assert config["scheduler"]["run_backup"] == "15 2 6" and config["application"]["backup_rotate"] == 3

    response = send(client, "POST", "/api/appsettings/config/", admin, {"scheduler": {"run_backup": "auto"}})
    assert response.status_code == 200 and response.json_body["scheduler"]["run_backup"] == "0 18 0"
    response = send(client, "POST", "/api/task/schedule/run_backup/", modern, {"config": {"rotate": 7}})
    assert response.status_code == 200 and response.json_body["config"] == {"rotate": 7}
    assert response.json_body["schedule"] == "0 18 0"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"schedule": "0 25 6"}, "hour"),
        ({"schedule": "*/5 * *"}, "minutes"),
        ({"config": {"rotate": -1}}, "backup_rotate"),
        ({"config": {"rotate": "five"}}, "backup_rotate"),
        ({"config": {"keep": 3}}, "rotate"),
        ({"schedule": "0 3 *", "config": {"days": 9}}, "rotate"),
    ],
)
def test_a_bad_backup_schedule_is_a_400_and_changes_nothing(client, modern, body, says):
    before = app_settings.current()
    response = send(client, "POST", "/api/task/schedule/run_backup/", modern, body)
    assert response.status_code == 400 and says in response.json_body["error"]
    assert app_settings.current() == before


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_an_unknown_task_is_a_404(client, modern, method):
    response = send(client, method, "/api/task/schedule/resync_metadata/", modern, {"schedule": "0 8 *"})
    assert response.status_code == 404 and "resync_metadata" in response.json_body["error"]
    assert app_settings.current()["scheduler"] == DEFAULT_SCHEDULES


def test_only_admins_see_or_change_schedules(client, other):
    assert send(client, "GET", "/api/task/schedule/", other).status_code == 403
    response = send(client, "POST", "/api/task/schedule/autodelete/", other, {"schedule": "0 8 *"})
    assert response.status_code == 403
    assert app_settings.current()["scheduler"] == DEFAULT_SCHEDULES


def test_v04_settings_and_v05_schedules_are_one_setting(client, admin, modern):
    response = send(client, "GET", "/api/appsettings/config/", admin)
    assert response.json_body["scheduler"] == DEFAULT_SCHEDULES
    body = {"scheduler": {"update_subscribed": "0 7,19 *", "autodelete": False}}
    response = send(client, "POST", "/api/appsettings/config/", admin, body)
    assert response.status_code == 200
    assert response.json_body["scheduler"] == {**DEFAULT_SCHEDULES, **body["scheduler"]}
    assert send(client, "GET", "/api/video/", admin).json_body["config"]["scheduler"]["autodelete"] is False
    rows = send(client, "GET", "/api/task/schedule/", modern).json_body
    assert [(row["name"], row["schedule"]) for row in rows] == [
        ("update_subscribed", "0 7,19 *"),
        ("run_snapshot", "0 3 *"),
        ("run_backup", "0 18 0"),
    ]

    response = send(client, "POST", "/api/appsettings/config/", admin, {"scheduler": {"run_snapshot": "0 61 *"}})
    assert response.status_code == 400 and "scheduler.run_snapshot" in response.json_body["error"]
    response = send(client, "POST", "/api/appsettings/config/", admin, {"scheduler": {"resync_metadata": "0 8 *"}})
    assert response.status_code == 400
    assert app_settings.current()["scheduler"]["run_snapshot"] == "0 3 *"


def test_the_settings_cli_reads_and_changes_schedules(aws, capsys):
    import json

    from infra import cli

    assert cli.main(["settings", "scheduler.update_subscribed=0 5 1-5"]) == 0
    assert json.loads(capsys.readouterr().out)["scheduler"]["update_subscribed"] == "0 5 1-5"
    assert cli.main(["settings", "scheduler.autodelete=false"]) == 0
    assert app_settings.current()["scheduler"]["autodelete"] is False
    assert cli.main(["settings", "scheduler.autodelete=*/5 * *"]) == 1
    assert "scheduler.autodelete: Invalid value for minutes" in capsys.readouterr().err
    assert app_settings.current()["scheduler"]["autodelete"] is False
