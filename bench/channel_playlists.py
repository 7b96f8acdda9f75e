"""What the `index_playlists` overwrite adds to a rescan: one subscribed channel of 20 videos with P playlists of 5
videos each, rescanned twice (the first archives the playlists, the second refreshes them), for P = 0 (the
overwrite off), 5 and 20.

    python bench/channel_playlists.py [--playlists 0,5,20] [--videos 20]

In-process moto (`mock_aws`, the stack made from infra/resources.yaml as tests/conftest.py does), the real yt-dlp
reading tests/media_server.py through the tests' stand-in extractor. Per rescan: the pages the fake YouTube
served (channel tabs, playlist pages), the DynamoDB calls (every botocore call to DynamoDB, counted), and the
wall time. Prints a Markdown table; asserts nothing timed.
"""

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Before any project import: models read the region and table prefix when they are defined (as in conftest).
for _name in list(os.environ):
    if _name.startswith("AWS_ENDPOINT_URL") or _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        del os.environ[_name]
os.environ.update(
    AWS_DEFAULT_REGION="us-east-1",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    APP_STAGE="local",
    TABLE_PREFIX="ytarchive-local-",
    MEDIA_BUCKET="ytarchive-local-media",
    YTDLP_TEST_EXTRACTOR="tests.fake_youtube:FakeYoutubeIE",
)

import boto3  # noqa: E402
import botocore.client  # noqa: E402
from moto import mock_aws  # noqa: E402

DYNAMODB_CALLS: Counter = Counter()


def count_dynamodb_calls() -> None:
    """Count every DynamoDB operation any botocore client sends (pynamodb's and functions.storage.db's)."""
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):
        if self.meta.service_model.service_name == "dynamodb":
            DYNAMODB_CALLS[operation] += 1
        return original(self, operation, params)

    botocore.client.BaseClient._make_api_call = counting


def catalog_of(videos: int, playlists: int):
    from tests.media_server import Catalog

    catalog = Catalog()
    channel = catalog.add_channel("bench", "Bench")
    made = [catalog.add_video(f"bench-{n}", channel) for n in range(videos)]
    for n in range(playlists):
        catalog.add_playlist(f"bench-{n}", f"List {n}", channel, [made[(n + k) % videos] for k in range(5)])
    return catalog, channel


def rescan_once(server) -> dict:
    from functions.services import rescan

    server.hits.clear()
    DYNAMODB_CALLS.clear()
    started = time.monotonic()
    summary = rescan.run()
    wall = time.monotonic() - started
    pages = Counter(path.split("/")[2] for path in server.hits.elements())
    return {
        "wall": wall,
        "channel_pages": pages["channel"],
        "playlist_pages": pages["playlist"],
        "dynamodb": sum(DYNAMODB_CALLS.values()),
        "indexed": len(summary["playlists_indexed"]),
        "errors": summary["errors"],
    }


def measure(videos: int, playlists: int) -> list[dict]:
    from functions.services import channel_playlists
    from functions.services.archive import channels
    from functions.storage.models import Channel
    from tests.fake_youtube import SERVER_ENV
    from tests.media_server import MediaServer

    catalog, channel = catalog_of(videos, playlists)
    with mock_aws(), MediaServer(catalog) as server:
        boto3.client("cloudformation").create_stack(
            StackName="ytarchive", TemplateBody=(ROOT / "infra/resources.yaml").read_text()
        )
        os.environ[SERVER_ENV] = server.url
        channels.set_subscribed(channel.channel_id, True)
        if playlists:
            Channel(channel.channel_id).update(
                actions=[Channel.channel_overwrites.set({channel_playlists.OVERWRITE: True})]
            )
        return [dict(rescan_once(server), playlists=playlists, rescan=n) for n in ("first", "second")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--playlists", default="0,5,20")
    parser.add_argument("--videos", type=int, default=20)
    args = parser.parse_args()
    count_dynamodb_calls()
    rows = [row for p in args.playlists.split(",") for row in measure(args.videos, int(p))]
    print(f"\nOne subscribed channel of {args.videos} videos, P playlists of 5 videos (0: the overwrite off)\n")
    print("| P | rescan | playlists archived | channel pages | playlist pages | DynamoDB calls | wall (s) |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['playlists']} | {row['rescan']} | {row['indexed']} | {row['channel_pages']} |"
            f" {row['playlist_pages']} | {row['dynamodb']} | {row['wall']:.2f} |"
        )
    errors = [error for row in rows for error in row["errors"]]
    if errors:
        print("\nerrors:", *errors, sep="\n- ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
