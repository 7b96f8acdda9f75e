"""Downloads keep the index current: a downloaded video is found by its title at once, and its subtitle lines
by `full:` when the app indexes subtitles (`subtitle_index`), through the real download function and yt-dlp."""

from functions.services.downloads import intake
from functions.storage.models import AppSetting
from infra import local
from tests.conftest import token_headers


def download_all(aws) -> None:
    import boto3

    from app import app

    sqs = boto3.client("sqs")
    while local.process_batch(sqs, aws["DownloadQueueUrl"], app.handler_map["download"], 1, wait_seconds=0):
        pass


def first_video(server):
    return next(iter(server.catalog.videos.values()))


def fulltext(client, admin, query: str) -> list[dict]:
    response = client.http.get(f"/api/search/?query=full:{query}", headers=token_headers(admin))
    assert response.status_code == 200, response.body
    return response.json_body["results"]["fulltext_results"]


def test_downloaded_video_and_its_subtitles_are_searchable(fake_youtube, client, admin, aws):
    AppSetting("app", value={"downloads": {"subtitle": "en", "subtitle_index": True}}).save()
    video = first_video(fake_youtube)
    intake.add([video.youtube_id], auto_start=True)
    download_all(aws)
    first_title_word = video.title.split()[0]
    found = client.http.get(f"/api/search/?query=video:{first_title_word}", headers=token_headers(admin)).json_body
    assert video.youtube_id in [hit["youtube_id"] for hit in found["results"]["video_results"]]
    (hit,) = fulltext(client, admin, "says hello")
    assert hit["youtube_id"] == video.youtube_id
    assert (hit["subtitle_lang"], hit["subtitle_start"]) == ("en", "00:00:00.000")
    assert hit["subtitle_line"] == f"[en] {video.youtube_id} says hello"


def test_subtitles_are_not_indexed_unless_the_app_says_so(fake_youtube, client, admin, aws):
    AppSetting("app", value={"downloads": {"subtitle": "en"}}).save()
    intake.add([first_video(fake_youtube).youtube_id], auto_start=True)
    download_all(aws)
    assert fulltext(client, admin, "hello") == []
