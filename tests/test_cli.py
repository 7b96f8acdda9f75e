import json
import os
import socket
import subprocess
import sys

import boto3
import pytest

from functions.services.auth import users
from functions.storage import counters, db
from functions.storage.models import Counter, User
from infra import cli
from tests.conftest import ROOT, token_headers
from tests.test_importer import document


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_create_user_and_show_token(aws, capsys):
    code, out, err = run(capsys, "create-user", "bob", "--admin", "--password", "secret-1")
    assert code == 0, err
    user = User.get("bob")
    assert user.is_admin
    assert f"token: {user.api_token}" in out
    assert users.verify_login("bob", "secret-1").username == "bob"
    assert run(capsys, "show-token", "bob") == (0, user.api_token + "\n", "")


def test_create_user_prompts_for_the_password(aws, capsys, monkeypatch):
    answers = iter(["typed-pw", "typed-pw"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(answers))
    code, _out, err = run(capsys, "create-user", "carol")
    assert code == 0, err
    assert not User.get("carol").is_admin
    assert users.verify_login("carol", "typed-pw").username == "carol"


def test_mismatched_passwords(aws, capsys, monkeypatch):
    answers = iter(["one", "two"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(answers))
    assert run(capsys, "create-user", "dave") == (1, "", "error: the passwords do not match\n")
    assert list(User.scan()) == []


def test_user_errors_are_one_line(aws, capsys):
    run(capsys, "create-user", "bob", "--password", "pw")
    assert run(capsys, "create-user", "bob", "--password", "pw") == (1, "", "error: user bob exists\n")
    assert run(capsys, "show-token", "nobody") == (1, "", "error: user nobody not found\n")
    assert run(capsys, "reset-password", "nobody", "--password", "x") == (1, "", "error: user nobody not found\n")
    code, _, err = run(capsys, "create-user", "bad name", "--password", "pw")
    assert code == 1 and err.startswith("error: username:") and err.count("\n") == 1
    code, _, err = run(capsys, "create-user", "erin", "--password", "")
    assert (code, err) == (1, "error: password must not be empty\n")


def test_reset_password(aws, capsys):
    run(capsys, "create-user", "bob", "--password", "old-pw")
    code, out, err = run(capsys, "reset-password", "bob", "--password", "new-pw")
    assert code == 0, err
    assert "password of bob changed" in out
    assert users.verify_login("bob", "new-pw").username == "bob"
    with pytest.raises(Exception, match="Unable to log in"):
        users.verify_login("bob", "old-pw")


def test_import_then_the_api_lists_the_videos(client, headers, capsys, tmp_path):
    path = tmp_path / "archive.json"
    path.write_text(json.dumps(document()))
    code, out, err = run(capsys, "import", str(path))
    assert code == 0, err
    assert "videos: 30 created, 0 updated, 0 unchanged" in out
    assert "totals: videos 30, channels 3, playlists 2" in out
    body = client.http.get("/api/video/", headers=headers).json_body
    assert body["paginate"]["total_hits"] == 30
    code, out, err = run(capsys, "import", str(path))
    assert code == 0, err
    assert "videos: 0 created, 0 updated, 30 unchanged" in out
    assert "playlist entries: 0 written, 0 removed" in out


def test_import_errors(aws, capsys, tmp_path):
    code, _out, err = run(capsys, "import", str(tmp_path / "missing.json"))
    assert code == 1 and err.startswith("error: cannot read") and err.count("\n") == 1
    broken = tmp_path / "broken.json"
    broken.write_text("[1, 2")
    code, _out, err = run(capsys, "import", str(broken))
    assert code == 1 and "is not valid JSON" in err and err.count("\n") == 1
    bad = document()
    bad["videos"][3]["published"] = "soon"
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps(bad))
    code, _out, err = run(capsys, "import", str(invalid))
    assert code == 1 and "nothing written" in err and "videos[3]" in err and err.count("\n") == 1
    assert list(Counter.scan()) == []


def test_recount(aws, capsys, tmp_path):
    path = tmp_path / "archive.json"
    path.write_text(json.dumps(document()))
    run(capsys, "import", str(path))
    Counter(counters.VIDEOS, count=5).save()
    code, out, err = run(capsys, "recount")
    assert code == 0, err
    assert "totals: videos 30, channels 3, playlists 2" in out
    assert db.counts([counters.VIDEOS])[counters.VIDEOS] == 30


def test_command_line_usage(capsys):
    with pytest.raises(SystemExit) as raised:
        cli.main([])
    assert raised.value.code == 2
    with pytest.raises(SystemExit):
        cli.main(["show-token"])


def test_local_environment(tmp_path):
    assert cli.local_environment({"LOCAL_DATA_DIR": str(tmp_path)}) == {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:5056",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "APP_STAGE": "local",
        "TABLE_PREFIX": "ytarchive-local-",
        "MEDIA_BUCKET": "ytarchive-local-media",
    }
    assert cli.local_environment({"LOCAL_MOTO_PORT": "6001"})["AWS_ENDPOINT_URL"] == "http://127.0.0.1:6001"
    (tmp_path / "moto-credentials").write_text('{"access_key": "LOCALKEY", "secret_key": "s3cret"}')
    kept = cli.local_environment({"LOCAL_DATA_DIR": str(tmp_path)})  # the running local run's keys
    assert (kept["AWS_ACCESS_KEY_ID"], kept["AWS_SECRET_ACCESS_KEY"]) == ("LOCALKEY", "s3cret")
    with pytest.raises(cli.UsageError):
        cli.local_environment({"LOCAL_MOTO_PORT": "http"})
    with pytest.raises(cli.UsageError):  # models are imported in this process already
        cli.use_local({})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_local_flag_against_a_moto_server(tmp_path):
    """The CLI in its own process, with --local, against a moto server like the local run's."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        cloudformation = boto3.client("cloudformation", endpoint_url=f"http://127.0.0.1:{port}")
        cloudformation.create_stack(StackName="ytarchive", TemplateBody=(ROOT / "infra/resources.yaml").read_text())
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(LOCAL_MOTO_PORT=str(port), TABLE_PREFIX="elsewhere-", AWS_PROFILE="nope")

        def cli_process(*argv):
            return subprocess.run(
                [sys.executable, "-m", "infra.cli", *argv], cwd=ROOT, env=env, capture_output=True, text=True
            )

        created = cli_process("--local", "create-user", "bob", "--password", "pw")
        assert created.returncode == 0, created.stderr
        shown = cli_process("show-token", "bob", "--local")
        assert shown.returncode == 0, shown.stderr
        assert f"token: {shown.stdout.strip()}" in created.stdout
        missing = cli_process("--local", "show-token", "nobody")
        assert (missing.returncode, missing.stderr) == (1, "error: user nobody not found\n")
        path = tmp_path / "archive.json"
        path.write_text(json.dumps(document(3)))
        imported = cli_process("--local", "import", str(path))
        assert imported.returncode == 0, imported.stderr
        assert "totals: videos 3, channels 3, playlists 2" in imported.stdout
    finally:
        server.stop()


def test_unreachable_endpoint_is_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(LOCAL_MOTO_PORT=str(free_port()), AWS_MAX_ATTEMPTS="1")
    done = subprocess.run(
        [sys.executable, "-m", "infra.cli", "--local", "show-token", "bob"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: AWS: ") and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr


def test_token_works_with_the_api(client, capsys):
    run(capsys, "create-user", "frank", "--password", "pw")
    user = User.get("frank")
    assert client.http.get("/api/ping/", headers=token_headers(user)).status_code == 200


def test_settings_show_and_change(aws, capsys):
    code, out, err = run(capsys, "settings")
    assert code == 0, err
    assert json.loads(out)["downloads"]["autodelete_days"] is None
    code, out, err = run(capsys, "settings", "downloads.autodelete_days=30", "downloads.format=bv*+ba/b")
    assert code == 0, err
    shown = json.loads(out)["downloads"]
    assert shown["autodelete_days"] == 30 and shown["format"] == "bv*+ba/b"
    code, out, _ = run(capsys, "settings", "downloads.format=null")
    assert json.loads(out)["downloads"]["format"] is None and json.loads(out)["downloads"]["autodelete_days"] == 30


@pytest.mark.parametrize(
    "assignment", ["downloads.autodelete_days=soon", "downloads.nothing=1", "autodelete_days=3", "downloads.format"]
)
def test_settings_errors_change_nothing(aws, capsys, assignment):
    code, out, err = run(capsys, "settings", "downloads.sleep_interval=5", assignment)
    assert code == 1 and out == "" and err.startswith("error: ") and len(err.splitlines()) == 1
    code, out, _ = run(capsys, "settings")
    assert json.loads(out)["downloads"]["sleep_interval"] == 0


def test_tokens_speak_the_dialect_chosen(aws, capsys):
    code, out, err = run(capsys, "create-user", "eve", "--password", "secret-1", "--dialect", "v0.5")
    assert code == 0, err
    user = User.get("eve")
    assert f"token: {user.api_token} (TubeArchivist v0.5)" in out
    assert users.token_dialect(user) == "v0.5"
    assert run(capsys, "show-token", "eve", "--dialect", "v0.5") == (0, user.api_token + "\n", "")  # kept
    code, out, err = run(capsys, "show-token", "eve", "--dialect", "v0.4")
    replaced = User.get("eve")
    assert (code, out) == (0, replaced.api_token + "\n") and replaced.api_token != user.api_token
    assert "no longer works" in err and users.token_dialect(replaced) == "v0.4"
    with pytest.raises(SystemExit) as raised:
        cli.main(["create-user", "zed", "--password", "x", "--dialect", "v9"])
    assert raised.value.code == 2
