"""Administration from a shell: users and their tokens, bulk import, counter repair.

    python -m infra.cli create-user NAME [--admin] [--password P]   # asks for the password when not given
                                    [--dialect v0.4|v0.5]           # the TubeArchivist API the token speaks
    python -m infra.cli reset-password NAME [--password P]
    python -m infra.cli remove-user NAME                            # the user and every credential of theirs
    python -m infra.cli show-token NAME [--dialect v0.4|v0.5]       # a new token if the old one speaks the other
    python -m infra.cli import FILE.json                            # see functions/services/importer/ for the format
    python -m infra.cli recount                                     # set every counter from its index
    python -m infra.cli reindex                                     # set every derived index key again
    python -m infra.cli settings [SECTION.KEY=JSON ...]             # show the app settings, or change some
    python -m infra.cli move-in --from-ta URL --token T [--media DIR] | --from-folder DIR [--dry-run]
                                                                    # see infra/move_in/

It works on whatever AWS the environment names (credentials, AWS_DEFAULT_REGION, TABLE_PREFIX, MEDIA_BUCKET,
AWS_ENDPOINT_URL). Against the local run's moto server (infra/local.py, port 5056 unless LOCAL_MOTO_PORT
says otherwise):

    python -m infra.cli --local show-token admin    # with the local run's region, table prefix and bucket, and
                                                    # the keys it made for this run (data/moto-credentials)

Errors print one line on stderr and exit with status 1 (2 for a wrong command line).
"""

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from functions.core.dialects import DIALECTS, V04

LOCAL_PORT = "5056"
# What the local run uses; set before functions.storage.models is imported, since table names are read at import.
LOCAL_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "APP_STAGE": "local",
    "TABLE_PREFIX": "ytarchive-local-",
    "MEDIA_BUCKET": "ytarchive-local-media",
}
# Would send requests elsewhere, or sign them with something else than the fake keys.
LOCAL_UNSET = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_REGION")


DIALECT_HELP = "the TubeArchivist API the token speaks: v0.4 (default) or v0.5 (today's clients)"


class UsageError(Exception):
    """A problem the user can fix; printed as one line, no traceback."""


def local_environment(environ) -> dict[str, str]:
    """The environment variables of the local run: its moto endpoint on loopback, region, keys and names."""
    port = environ.get("LOCAL_MOTO_PORT") or LOCAL_PORT
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"LOCAL_MOTO_PORT must be a port number, got {port!r}")
    keys = {}
    # The running local run's moto accepts only the keys it wrote to its data folder (infra/moto_server.py).
    kept = Path(environ.get("LOCAL_DATA_DIR") or Path(__file__).resolve().parent.parent / "data") / "moto-credentials"
    if kept.exists():
        credentials = json.loads(kept.read_text())
        keys = {"AWS_ACCESS_KEY_ID": credentials["access_key"], "AWS_SECRET_ACCESS_KEY": credentials["secret_key"]}
    return {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", **LOCAL_ENVIRONMENT, **keys}


def use_local(environ=os.environ) -> None:
    if "functions.storage.models" in sys.modules:
        raise UsageError("--local must be applied before functions.storage.models is imported")
    for name in LOCAL_UNSET:
        environ.pop(name, None)
    environ.update(local_environment(environ))


# ---------------------------------------------------------------- commands


def _password(args, confirm: bool) -> str:
    if args.password is not None:
        return args.password
    password = getpass.getpass("Password: ")
    if confirm and getpass.getpass("Password (again): ") != password:
        raise UsageError("the passwords do not match")
    return password


def create_user(args) -> None:
    from functions.services.auth import users

    user = users.create_user(args.username, _password(args, confirm=True), is_admin=args.admin, dialect=args.dialect)
    role = "admin" if user.is_admin else "user"
    print(f"created {role} {user.username} (user id {int(user.user_id)})")
    print(f"token: {user.api_token} (TubeArchivist {args.dialect})")


def reset_password(args) -> None:
    from functions.services.auth import users

    users.get_user(args.username)  # unknown users fail before the prompt
    users.set_password(args.username, _password(args, confirm=True))
    print(f"password of {args.username} changed; their sessions and Invidious tokens have ended")


def remove_user(args) -> None:
    from functions.services.auth import users

    users.remove_user(args.username)
    print(f"removed {args.username}; their API token, sessions and Invidious tokens have ended")


def show_token(args) -> None:
    from functions.services.auth import users

    user = users.get_user(args.username)
    if args.dialect and args.dialect != users.token_dialect(user):
        user = users.replace_token(user, args.dialect)
        print(f"the old token of {user.username} no longer works; the new one speaks {args.dialect}", file=sys.stderr)
    print(user.api_token)


def import_file(args) -> None:
    from functions.services import importer

    summary = importer.import_file(args.file)
    print(f"imported {args.file}")
    for kind in ("channels", "playlists", "videos"):
        tally = summary[kind]
        print(f"  {kind}: {tally['created']} created, {tally['updated']} updated, {tally['unchanged']} unchanged")
    entries = summary["entries"]
    print(f"  playlist entries: {entries['written']} written, {entries['removed']} removed")
    print("  totals: " + ", ".join(f"{name} {value}" for name, value in summary["totals"].items()))


def recount(args) -> None:
    from functions.storage import counters

    values = counters.recount_all()
    print(f"recounted {len(values)} counters")
    print(
        "  totals: "
        + ", ".join(f"{name} {values[name]}" for name in (counters.VIDEOS, counters.CHANNELS, counters.PLAYLISTS))
    )


def reindex(args) -> None:
    """Every derived index key set again (functions.services.index_backfill): what an older version wrote is
    found by the filters that query them."""
    from functions.services import index_backfill

    def report(table: str, tally) -> None:
        print(f"  {table}: {tally.scanned} read, {tally.rewritten} rewritten", end="\r", flush=True)

    tallies = index_backfill.run(report if sys.stdout.isatty() else None)
    for table, tally in tallies.items():
        searched = f", {tally.indexed} put into the search index" if tally.indexed else ""
        print(f"{table}: {tally.scanned} read, {tally.rewritten} rewritten{searched}")
    print(f"rewrote {sum(t.rewritten for t in tallies.values())} of {sum(t.scanned for t in tallies.values())} items")


def dash(args) -> None:
    from functions.services.archive import dash as renditions

    made = renditions.backfill_all(args.video_ids or None)
    print(f"made {made} DASH renditions")


def settings(args) -> None:
    """Print the app settings as JSON; with SECTION.KEY=VALUE arguments (VALUE in JSON, or a bare word taken as
    text) change those first, all or nothing, as POST /api/appsettings/config/ does."""
    import json

    from functions.services import app_settings

    changes: dict[str, dict] = {}
    for assignment in args.assignments:
        name, equals, raw = assignment.partition("=")
        section, dot, key = name.partition(".")
        if not equals or not dot or not section or not key:
            raise UsageError(f"write a change as SECTION.KEY=VALUE (downloads.autodelete_days=30), got {assignment!r}")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        changes.setdefault(section, {})[key] = value
    config = app_settings.update(changes) if changes else app_settings.current()
    print(json.dumps(config, indent=2, sort_keys=True))


def move_in(args) -> None:
    from infra.move_in import move_in as run_move_in
    from infra.move_in.folder import Folder
    from infra.move_in.ta import SourceError, TubeArchivist

    if (args.from_ta is None) == (args.from_folder is None):
        raise UsageError("name one source: --from-ta URL --token T, or --from-folder DIR")
    if args.from_ta is not None:
        if not args.token:
            raise UsageError("--from-ta needs the TubeArchivist user's API token (--token)")
        if args.media is not None and not args.media.is_dir():
            raise UsageError(f"--media {args.media} is not a folder")
        source = TubeArchivist(args.from_ta, args.token, media=args.media, workers=args.workers)
        try:
            source.ping()
        except SourceError as error:
            raise UsageError(f"{args.from_ta}: {error}") from None
    else:
        try:
            source = Folder(args.from_folder)
        except FileNotFoundError as error:
            raise UsageError(str(error)) from None
    report = run_move_in(source, username=args.user, dry_run=args.dry_run, workers=args.workers)
    print("\n".join(report.lines()))
    if report.failures and not args.dry_run:
        print("run the same command again to retry what failed; what moved is skipped", file=sys.stderr)


def follow(args) -> None:
    from infra.follow import follow as follow_downloads

    follow_downloads(args.interval, args.until_idle)


# ---------------------------------------------------------------- command line


def parser() -> argparse.ArgumentParser:
    local = argparse.ArgumentParser(add_help=False)
    local.add_argument(
        "--local",
        action="store_true",
        default=argparse.SUPPRESS,
        help="use the local run's moto server (127.0.0.1:$LOCAL_MOTO_PORT, default 5056) and its names",
    )
    main_parser = argparse.ArgumentParser(
        prog="python -m infra.cli", description="Administer the archive.", parents=[local]
    )
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    command = commands.add_parser("create-user", parents=[local], help="create a user and show their API token")
    command.add_argument("username")
    command.add_argument("--admin", action="store_true", help="may administer the archive")
    command.add_argument("--password", help="the password (asked for when left out)")
    command.add_argument("--dialect", choices=DIALECTS, default=V04, help=DIALECT_HELP)
    command.set_defaults(run=create_user)

    command = commands.add_parser("reset-password", parents=[local], help="set a user's password")
    command.add_argument("username")
    command.add_argument("--password", help="the new password (asked for when left out)")
    command.set_defaults(run=reset_password)

    command = commands.add_parser("remove-user", parents=[local], help="remove a user and end their credentials")
    command.add_argument("username")
    command.set_defaults(run=remove_user)

    command = commands.add_parser("show-token", parents=[local], help="print a user's API token")
    command.add_argument("username")
    command.add_argument(
        "--dialect", choices=DIALECTS, help="replace the token with one speaking this dialect if it speaks another"
    )
    command.set_defaults(run=show_token)

    command = commands.add_parser("import", parents=[local], help="import archive metadata from a JSON file")
    command.add_argument("file", help='{"channels": [...], "playlists": [...], "videos": [...]}')
    command.set_defaults(run=import_file)

    command = commands.add_parser("recount", parents=[local], help="set every counter from its index")
    command.set_defaults(run=recount)

    command = commands.add_parser("reindex", parents=[local], help="set every derived index key again")
    command.set_defaults(run=reindex)

    command = commands.add_parser("dash", parents=[local], help="give archived videos their missing DASH renditions")
    command.add_argument("video_ids", nargs="*", metavar="VIDEO_ID", help="these videos only (default: every one)")
    command.set_defaults(run=dash)

    command = commands.add_parser("settings", parents=[local], help="show the app settings, or change some")
    command.add_argument("assignments", nargs="*", metavar="SECTION.KEY=VALUE", help="e.g. downloads.format=null")
    command.set_defaults(run=settings)
    command = commands.add_parser("move-in", parents=[local], help="move a TubeArchivist or a yt-dlp folder in")
    command.add_argument("--from-ta", metavar="URL", help="a running TubeArchivist (v0.4 or v0.5)")
    command.add_argument("--token", help="the TubeArchivist user's API token")
    command.add_argument("--media", type=Path, metavar="DIR", help="TubeArchivist's media folder (else fetched)")
    command.add_argument("--from-folder", type=Path, metavar="DIR", help="media files with yt-dlp .info.json beside")
    command.add_argument("--user", default="admin", help="whose watched state and progress (default admin)")
    command.add_argument("--workers", type=int, default=8, help="uploads and reads at a time (default 8)")
    command.add_argument("--dry-run", action="store_true", help="say what would happen; write nothing")
    command.set_defaults(run=move_in)
    command = commands.add_parser("follow", parents=[local], help="watch the downloads run, with progress bars")
    command.add_argument("--interval", type=float, default=1.0, help="seconds between two looks (default 1)")
    command.add_argument("--until-idle", action="store_true", help="stop once nothing downloads or waits to")
    command.set_defaults(run=follow)
    return main_parser


def _describe(error: Exception) -> str:
    """One line for an AWS failure: the service's own message, not pynamodb's wrapping of it."""
    cause = getattr(error, "cause", None) or error.__cause__
    message = str(cause or error).strip().splitlines()
    return message[0] if message else type(error).__name__


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        if getattr(args, "local", False):
            use_local()
        from botocore.exceptions import BotoCoreError, ClientError
        from pynamodb.exceptions import PynamoDBException

        from functions.core.errors import DomainError

        try:
            args.run(args)
        except DomainError as error:
            raise UsageError(error.message) from None
        except (PynamoDBException, BotoCoreError, ClientError) as error:
            raise UsageError(f"AWS: {_describe(error)}") from None
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
