"""Download settings of the config envelope take effect in real yt-dlp downloads (local media server)."""

import io

import boto3
from mutagen.mp4 import MP4

from functions.jobs import download as job
from functions.schemas.ta import ChannelOverwritesUpdate, Overwrites
from functions.services import app_settings
from functions.services.downloads import intake
from functions.storage import s3
from tests.jobs.test_download import BUCKET, first_video, record


def downloaded_tags(video) -> dict:
    body = boto3.client("s3").get_object(Bucket=BUCKET, Key=s3.media_key(video.channel_id, video.youtube_id))
    return dict(MP4(io.BytesIO(body["Body"].read())).tags or {})


def test_metadata_and_cover_are_written_into_the_file(fake_youtube, aws):
    video = first_video(fake_youtube)
    intake.add_entries([{"youtube_id": video.youtube_id}])
    assert job.handle_record(record(video.youtube_id)) == "archived"
    tags = downloaded_tags(video)
    assert tags["\xa9nam"] == [video.title]  # add_metadata (on by default)
    assert tags["covr"] and bytes(tags["covr"][0])[:2] == b"\xff\xd8"  # add_thumbnail: the jpg cover


def test_turned_off_the_file_carries_neither(fake_youtube, aws):
    app_settings.update({"downloads": {"add_metadata": False, "add_thumbnail": False}})
    video = first_video(fake_youtube)
    intake.add_entries([{"youtube_id": video.youtube_id}])
    assert job.handle_record(record(video.youtube_id)) == "archived"
    tags = downloaded_tags(video)
    assert "\xa9nam" not in tags and "covr" not in tags


def test_a_channels_download_format_reaches_yt_dlp(fake_youtube, aws, monkeypatch):
    from functions.services.archive import channel_overwrites, channels
    from functions.storage.models import Channel
    from functions.youtube import media

    video = first_video(fake_youtube)
    channels.save(Channel(video.channel_id, channel_name="Lab"))
    channel_overwrites.update(video.channel_id, ChannelOverwritesUpdate(Overwrites(download_format="best/worst")))
    app_settings.update({"downloads": {"format": "bv*+ba/b"}})
    formats = []
    real_download = media.download

    def recording(youtube_id, workdir, options, *args, **kwargs):
        formats.append(options["format"])
        return real_download(youtube_id, workdir, options, *args, **kwargs)

    monkeypatch.setattr(media, "download", recording)
    intake.add_entries([{"youtube_id": video.youtube_id, "channel_id": video.channel_id}])
    assert job.handle_record(record(video.youtube_id)) == "archived"
    assert formats == ["best/worst"]


def test_the_media_file_is_named_after_the_title(fake_youtube, aws):
    from urllib.parse import quote

    video = first_video(fake_youtube)
    intake.add_entries([{"youtube_id": video.youtube_id}])
    assert job.handle_record(record(video.youtube_id)) == "archived"
    head = boto3.client("s3").head_object(Bucket=BUCKET, Key=s3.media_key(video.channel_id, video.youtube_id))
    assert head["ContentDisposition"].startswith("inline; filename=")
    assert head["ContentDisposition"].endswith("UTF-8''" + quote(f"{video.title}.mp4", safe=""))


def test_content_disposition_of_any_title():
    header = s3.content_disposition('Café "live" / Ω.mp4')
    assert header == "inline; filename=\"Caf_ live  _.mp4\"; filename*=UTF-8''Caf%C3%A9%20live%20%20%CE%A9.mp4"
    assert header.isascii()
    assert s3.content_disposition("\n\t") == "inline; filename=\"video\"; filename*=UTF-8''video"
