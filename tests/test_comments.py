"""functions/services/comments.py: yt-dlp's flat comment list becomes API.md's threads, stored in S3 and read back."""

import json

import pytest

from functions.core.errors import NotFound
from functions.core.settings import get_settings
from functions.services import comments
from functions.storage import s3
from functions.storage.aws import client as bucket_client
from tests.factories import make_video, video_id


def raw(comment_id: str, parent: str = "root", **fields) -> dict:
    """A comment as yt-dlp's info JSON has it."""
    values = {
        "id": comment_id,
        "parent": parent,
        "text": f"text of {comment_id}",
        "author": f"@author-{comment_id}",
        "author_id": f"UC{comment_id:0>22}"[:24],
        "author_thumbnail": f"https://yt3.example/{comment_id}.jpg",
        "like_count": 3,
        "is_favorited": False,
        "author_is_uploader": False,
        "timestamp": 1_700_000_000,
        "_time_text": "1 year ago",
    }
    values.update(fields)
    return values


def test_a_root_comment_has_every_field_of_the_thread_shape():
    (thread,) = comments.threads([raw("a", like_count=7, is_favorited=True, author_is_uploader=True)])
    assert thread == {
        "comment_id": "a",
        "comment_text": "text of a",
        "comment_timestamp": 1_700_000_000,
        "comment_time_text": "1 year ago",
        "comment_likecount": 7,
        "comment_is_favorited": True,
        "comment_author": "@author-a",
        "comment_author_id": raw("a")["author_id"],
        "comment_author_thumbnail": "https://yt3.example/a.jpg",
        "comment_author_is_uploader": True,
        "comment_parent": "root",
        "comment_replies": [],
    }


def test_replies_nest_under_their_parent_in_order():
    flat = [raw("a"), raw("a.1", parent="a"), raw("b"), raw("a.2", parent="a"), raw("a.1.x", parent="a.1")]
    threads = comments.threads(flat)
    assert [t["comment_id"] for t in threads] == ["a", "b"]
    assert [r["comment_id"] for r in threads[0]["comment_replies"]] == ["a.1", "a.2"]
    assert threads[0]["comment_replies"][0]["comment_parent"] == "a"
    assert [r["comment_id"] for r in threads[0]["comment_replies"][0]["comment_replies"]] == ["a.1.x"]
    assert threads[1]["comment_replies"] == []
    assert comments.count(threads) == 5


def test_a_reply_listed_before_its_parent_still_nests():
    threads = comments.threads([raw("r", parent="p"), raw("p")])
    assert [t["comment_id"] for t in threads] == ["p"]
    assert [r["comment_id"] for r in threads[0]["comment_replies"]] == ["r"]


def test_orphans_cycles_and_junk_are_left_out():
    flat = [
        raw("a"),
        raw("orphan", parent="gone"),  # its parent was past yt-dlp's max_comments
        raw("x", parent="y"),
        raw("y", parent="x"),  # a cycle reaches no root
        raw("self", parent="self"),
        {"text": "no id"},
        "not a comment",
        raw("a", text="a repeated id keeps the first"),
    ]
    threads = comments.threads(flat)
    assert [t["comment_id"] for t in threads] == ["a"]
    assert threads[0]["comment_text"] == "text of a"
    assert comments.count(threads) == 1
    json.dumps(threads)  # no cycle reached the stored document


def test_missing_fields_get_safe_values():
    (thread,) = comments.threads([{"id": "bare"}])
    assert thread["comment_parent"] == "root"
    assert thread["comment_likecount"] == 0 and thread["comment_timestamp"] is None
    assert thread["comment_text"] == "" and thread["comment_is_favorited"] is False
    assert comments.threads(None) == []


def test_store_and_read_round_trip(aws):
    flat = [raw("a"), raw("a.1", parent="a"), raw("b", text="ünïcode ✓")]
    assert comments.store_comments(video_id(1), flat) == 3
    stored = bucket_client("s3").get_object(Bucket=get_settings().media_bucket, Key=s3.comments_key(video_id(1)))
    assert stored["ContentType"] == "application/json"
    assert comments.read_comments(video_id(1)) == comments.threads(flat)


def test_reading_a_video_without_stored_comments_gives_none(aws):
    assert comments.read_comments(video_id(2)) == []


def test_storing_refuses_a_malformed_id(aws):
    with pytest.raises(NotFound):
        comments.store_comments("../../etc", [raw("a")])


def test_deleting_the_video_deletes_its_comments(aws):
    from functions.services.archive import videos

    make_video(3)
    comments.store_comments(video_id(3), [raw("a")])
    videos.delete(video_id(3))
    assert comments.read_comments(video_id(3)) == []


def download(fake_youtube, aws, **downloads) -> str:
    """Archive the first video of the local YouTube through the download queue and function, with `downloads`
    settings stored in the app config; its id."""
    import boto3

    from app import app
    from functions.services.downloads import intake
    from functions.storage.models import AppSetting
    from infra import local

    AppSetting("app", value={"downloads": downloads}).save()
    youtube_id = next(iter(fake_youtube.catalog.videos))
    intake.add([youtube_id], auto_start=True)
    sqs = boto3.client("sqs")
    while local.process_batch(sqs, aws["DownloadQueueUrl"], app.handler_map["download"], 1, wait_seconds=0):
        pass
    return youtube_id


def test_a_download_with_comments_enabled_stores_them(fake_youtube, aws):
    from functions.storage.models import Video

    youtube_id = download(fake_youtube, aws, comment_max="all")
    stored = comments.read_comments(youtube_id)
    expected = fake_youtube.catalog.videos[youtube_id].comments
    assert len(stored) == expected and Video.get(youtube_id).comment_count == expected
    assert stored[0]["comment_text"].startswith("comment 0 on") and stored[0]["comment_parent"] == "root"


def test_a_download_with_comments_off_stores_none(fake_youtube, aws):
    from functions.storage.models import Video

    youtube_id = download(fake_youtube, aws)
    assert comments.read_comments(youtube_id) == []
    assert Video.get(youtube_id).comment_count is None
