"""A `make demo`-like archive for the public Invidious API tests: the local media server's catalog downloaded by
the real download job (yt-dlp, S3, tables, search index, comments, subtitles), as the demo fills its archive.
The download runs once a process for each catalog; later tests get what it wrote (tests/replayed.py)."""

import boto3

from functions.services.downloads import intake
from functions.storage.models import AppSetting, Video
from infra import local
from tests.replayed import replay


def drain(aws, rounds: int = 60) -> None:
    """Feed the download queue to the download handler until it is empty, as the local run's poller does."""
    from app import app

    sqs = boto3.client("sqs")
    for _ in range(rounds):
        if not local.process_batch(sqs, aws["DownloadQueueUrl"], app.handler_map["download"], 1, wait_seconds=0):
            break


def archive_catalog(aws, server) -> dict[str, Video]:
    """Download every video and playlist of the server's catalog; the archived videos by id."""
    catalog = server.catalog

    def download() -> None:
        AppSetting("app", value={"downloads": {"subtitle": "en", "comment_max": "all"}}).save()
        ids = [v.youtube_id for v in catalog.videos.values() if v.fault is None]
        playlists = [f"https://www.youtube.com/playlist?list={p}" for p in catalog.playlists]
        intake.add(ids + playlists, auto_start=True)
        drain(aws)

    replay(("archive_catalog", repr(catalog)), download)
    return {v.youtube_id: v for v in Video.scan()}
