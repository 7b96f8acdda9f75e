"""A queued video's thumbnail as the queue links it (`vid_thumb_url`, the path v0.5's Downloads page prefixes with
its API URL): YouTube's own at once, while the download function has not stored it yet; the stored file after
(functions.services.downloads.worker.store_thumbnails, through archiving.store_image); a 404 for a video neither
queued nor archived."""

import boto3

from functions.services.downloads import intake
from functions.storage import s3
from tests.api.calls import send
from tests.factories import video_id
from tests.jobs.test_download import BUCKET, drain


def thumbnail(client, user, youtube_id: str):
    """The queue's link, or the path it will link once the download function has described the item (v0.5 leaves
    the link out until then, so its frontend shows its own placeholder)."""
    (item,) = [
        row for row in send(client, "GET", "/api/download/", user).json_body["data"] if row["youtube_id"] == youtube_id
    ]
    return send(client, "GET", item.get("vid_thumb_url") or "/" + s3.video_thumb_key(youtube_id), user)


def test_the_queued_thumbnail_answers_at_once_then_from_the_archive(client, v05, aws, fake_youtube):
    video = next(iter(fake_youtube.catalog.videos.values()))
    intake.add([video.youtube_id])
    answer = thumbnail(client, v05, video.youtube_id)  # the expand message not handled yet: nothing stored
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"https://i.ytimg.com/vi/{video.youtube_id}/mqdefault.jpg"

    drain(aws, boto3.client("sqs"))
    key = s3.video_thumb_key(video.youtube_id)
    stored = boto3.client("s3").get_object(Bucket=BUCKET, Key=key)
    assert stored["ContentType"] == "image/jpeg" and stored["Body"].read()
    answer = thumbnail(client, v05, video.youtube_id)
    assert answer.status_code == 302 and f"/{key}" in answer.headers["Location"]
    assert "ytimg" not in answer.headers["Location"]


def test_a_thumbnail_of_a_video_neither_queued_nor_archived_is_404(client, v05, aws):
    assert send(client, "GET", s3.url_of(s3.video_thumb_key(video_id(5))), v05).status_code == 404
