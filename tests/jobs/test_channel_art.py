"""Channel art URLs only for art that exists (tubearchivist-jf posted the 404 body as a backdrop)."""

from functions.jobs import download as job
from functions.services.downloads import intake
from functions.storage import s3
from tests.api.calls import send
from tests.jobs.test_download import first_video, objects, record


def test_only_stored_art_is_linked(fake_youtube, client, admin):
    video = first_video(fake_youtube)  # the local YouTube serves an avatar and a banner, no TV art
    intake.add_entries([{"youtube_id": video.youtube_id}])
    assert job.handle_record(record(video.youtube_id)) == "archived"
    channel = send(client, "GET", f"/api/channel/{video.channel_id}/", admin).json_body["data"]
    assert channel["channel_thumb_url"] == "/" + s3.channel_art_key(video.channel_id, "thumb")
    assert channel["channel_banner_url"] == "/" + s3.channel_art_key(video.channel_id, "banner")
    assert channel["channel_tvart_url"] is False
    assert s3.channel_art_key(video.channel_id, "tvart") not in objects()
    listed = send(client, "GET", f"/api/video/{video.youtube_id}/", admin).json_body["data"]["channel"]
    assert listed["channel_tvart_url"] is False
