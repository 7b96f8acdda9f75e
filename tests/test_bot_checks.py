"""YouTube's bot checks and rate limits, met by real yt-dlp against the local stand-in: their own error class, on
the queue item, the cookie marked invalid when one was sent, the retry held back longer each time, the metric."""

import datetime
import json

import boto3
import pytest

from functions.core.errors import ServiceUnavailable
from functions.jobs import download as job
from functions.jobs import lookup
from functions.services import bot_checks, cookies
from functions.services.downloads import intake
from functions.storage import aws as storage_aws
from functions.storage import lookup as lookup_client
from functions.storage.models import QueueItem, Video
from functions.youtube import media, ytdlp
from tests.jobs.test_download import cookie_line, first_video


def metric_sum() -> float:
    end = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5)
    stats = boto3.client("cloudwatch").get_metric_statistics(
        Namespace="ytarchive",
        MetricName="BotChecks",
        Dimensions=[{"Name": "Stage", "Value": "local"}],
        StartTime=end - datetime.timedelta(hours=1),
        EndTime=end,
        Period=3600,
        Statistics=["Sum"],
    )
    return sum(point["Sum"] for point in stats["Datapoints"])


@pytest.mark.parametrize("fault", ["bot", "ratelimited"])
def test_the_adapter_names_bot_checks(fake_youtube, aws, tmp_path, fault):
    video = first_video(fake_youtube)
    video.fault = fault
    with pytest.raises(ytdlp.BotCheck) as raised:
        media.download(video.youtube_id, tmp_path, {})
    assert raised.value.message.startswith("YouTube's bot check: ")
    assert ("not a bot" if fault == "bot" else "429") in raised.value.message
    # asked through the API (the lookup function), it is the archive that is refused, not the request: 503
    answer = lookup.handle({"action": "video_summary", "youtube_id": video.youtube_id})
    assert answer["error"]["kind"] == "ServiceUnavailable" and "bot check" in answer["error"]["message"]
    with pytest.raises(ServiceUnavailable):  # which the router answers with 503
        lookup_client.call("video_summary", youtube_id=video.youtube_id)


def received(sqs) -> dict:
    url = storage_aws.queue_url(storage_aws.DOWNLOAD)
    (message,) = sqs.receive_message(QueueUrl=url, AttributeNames=["All"], MaxNumberOfMessages=1)["Messages"]
    return message


def test_a_bot_check_fails_the_download_marks_the_cookie_and_backs_off(fake_youtube, aws, monkeypatch):
    video = first_video(fake_youtube)
    video.fault = "bot"
    intake.add_entries([{"youtube_id": video.youtube_id}])
    cookies.store("# Netscape HTTP Cookie File\n" + cookie_line("fresh"))
    cookies.record_validation(True)
    sqs = boto3.client("sqs")
    url = storage_aws.queue_url(storage_aws.DOWNLOAD)
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"action": "download", "youtube_id": video.youtube_id}))
    message = received(sqs)
    delays = []
    original = storage_aws.client("sqs").change_message_visibility
    monkeypatch.setattr(
        storage_aws.client("sqs"),
        "change_message_visibility",
        lambda **kw: delays.append(kw["VisibilityTimeout"]) or original(**kw),
    )
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {"ApproximateReceiveCount": "2"},
    }
    before = metric_sum()
    with pytest.raises(ytdlp.BotCheck):
        job.handle_record(record)
    item = QueueItem.get(video.youtube_id)
    assert item.message.startswith("download failed (attempt 2 of 3): YouTube's bot check: [fakeyoutube] Sign in")
    assert item.lease_owner is None and not Video.count(video.youtube_id)
    state = cookies.state()
    assert state["status"] is False and "not a bot" in state["message"]
    assert delays == [bot_checks.retry_delay(2)] == [7200]  # held back: the second attempt waits 2 h
    assert metric_sum() == before + 1
    cookies.revoke()


def test_without_a_cookie_the_cookie_state_is_left_alone(fake_youtube, aws):
    video = first_video(fake_youtube)
    video.fault = "ratelimited"
    intake.add_entries([{"youtube_id": video.youtube_id}])
    cookies.record_validation(True, None)
    body = json.dumps({"action": "download", "youtube_id": video.youtube_id})
    with pytest.raises(ytdlp.BotCheck):
        job.handle_record({"messageId": "m-1", "body": body, "attributes": {}})
    assert cookies.state()["status"] is True
    assert "HTTP Error 429" in QueueItem.get(video.youtube_id).message


def test_retry_delays_double_up_to_sqs_limit():
    assert [bot_checks.retry_delay(n) for n in (1, 2, 3, 4, 5, 9)] == [3600, 7200, 14400, 28800, 43200, 43200]
