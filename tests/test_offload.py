"""Downloads too large for the download function: the size estimate, the decision at its edges, RunTask (moto's
ECS) with its overrides, the download task's entry point on the real download path, and its stop events."""

import dataclasses
import json
import time

import boto3
import pytest

from functions.core.dialects import V04
from functions.core.settings import get_settings
from functions.jobs import download, download_task, events
from functions.services import offload
from functions.services.downloads import intake
from functions.services.offload import GIB, Estimate, Room
from functions.storage import aws
from functions.storage.models import QueueItem, Video
from tests.jobs.test_download import drain, first_video

BIG = 50 * GIB  # what a 4K film's format claims: more than a function's 10 GB of /tmp
CLUSTER = "ytarchive-local-downloads"
FAMILY = "ytarchive-local-download"


# ---------------------------------------------------------------- the estimate


def test_estimate_adds_the_selected_formats():
    info = {"duration": 100, "requested_formats": [{"filesize": 1000}, {"filesize_approx": 200}]}
    assert offload.estimate(info) == Estimate(1200, 100)
    # a format without a size but with a bitrate: kbit/s x seconds
    info = {"duration": 100, "requested_formats": [{"filesize": 1000}, {"tbr": 128}]}
    assert offload.estimate(info).size == 1000 + 128 * 1000 // 8 * 100
    assert offload.estimate({"duration": 10, "filesize": 5}).size == 5  # a single file
    # nothing tells the size: the duration at a high bitrate, else unknown
    assert offload.estimate({"duration": 60}).size == 60 * offload.UNKNOWN_SIZE_BYTES_PER_SECOND
    assert offload.estimate({}) == Estimate(None, None)
    assert offload.estimate({"live_status": "is_live"}).live
    assert not offload.estimate({"live_status": "was_live", "duration": 5}).live


def test_the_decision_at_its_edges():
    size = 4 * GIB
    found = Estimate(size, 3600)
    time_needed = offload.seconds_needed(size)
    roomy = Room(found.disk, time_needed / offload.TIME_SHARE)
    assert offload.too_large(found, roomy) is None  # exactly enough disk and time
    assert "GiB of disk" in offload.too_large(found, Room(found.disk - 1, roomy.seconds))
    assert "min left" in offload.too_large(found, Room(found.disk, roomy.seconds - 1))
    # the user's speed limit (KB/s) makes the same video need more time than the function has
    assert "min left" in offload.too_large(found, roomy, limit_speed_kb=1024)
    assert offload.too_large(Estimate(None, None), Room(0, 0)) is None  # nothing to go on: stays
    assert offload.too_large(Estimate(1, 1, live=True), Room(10 * GIB, 900)) == "a live stream has no known end"


def test_task_storage_covers_the_download_within_fargates_range():
    assert offload.task_storage_gib(Estimate(GIB, None)) == offload.TASK_MIN_GIB
    assert offload.task_storage_gib(Estimate(BIG, None)) == 111  # 50 GiB x 2.2, and one more
    assert offload.task_storage_gib(Estimate(1000 * GIB, None)) == offload.TASK_MAX_GIB


# ---------------------------------------------------------------- RunTask


def use_fargate(monkeypatch, cluster: str, task_definition: str, subnets: tuple, groups: tuple) -> None:
    """The download function's settings naming the stack's download task (FARGATE_* in a deployed stage)."""
    settings = dataclasses.replace(
        get_settings(),
        fargate_cluster=cluster,
        fargate_task_definition=task_definition,
        fargate_subnets=subnets,
        fargate_security_groups=groups,
    )
    monkeypatch.setattr(offload, "get_settings", lambda: settings)


@pytest.fixture
def fargate(aws, monkeypatch):
    """The stack's download task in moto's ECS, and the download function's settings naming it."""
    ecs = boto3.client("ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    registered = ecs.register_task_definition(
        family=FAMILY,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="2048",
        memory="8192",
        containerDefinitions=[{"name": "download", "image": "download:latest", "essential": True, "memory": 8192}],
    )["taskDefinition"]["taskDefinitionArn"]
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})  # as infra/fargate.yaml's VPC
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{n}.0/24")["Subnet"]["SubnetId"] for n in (1, 2)]
    group = ec2.create_security_group(GroupName="download", Description="egress only", VpcId=vpc)["GroupId"]
    use_fargate(monkeypatch, CLUSTER, FAMILY, tuple(subnets), (group,))
    yield ecs
    for subnet in subnets:  # the aws fixture empties what the stack holds; this is not the stack's
        ec2.delete_subnet(SubnetId=subnet)
    ec2.delete_security_group(GroupId=group)
    ec2.delete_vpc(VpcId=vpc)
    for arn in ecs.list_tasks(cluster=CLUSTER)["taskArns"]:
        ecs.stop_task(cluster=CLUSTER, task=arn)
    ecs.deregister_task_definition(taskDefinition=registered)


def tasks(ecs) -> list[dict]:
    arns = ecs.list_tasks(cluster=CLUSTER, desiredStatus="RUNNING")["taskArns"]
    return ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []


def test_a_large_video_is_handed_to_a_fargate_task(fake_youtube, fargate, sqs):
    video = first_video(fake_youtube)
    video.reported_size = BIG
    intake.add([video.youtube_id], auto_start=True)
    assert drain(aws_urls(), sqs) == 2  # expand, then the download, handed over and deleted

    (task,) = tasks(fargate)
    item = QueueItem.get(video.youtube_id)
    assert item.runs_on == f"fargate {task['taskArn']}"
    assert item.lease_until > time.time() + offload.TASK_LEASE_SECONDS - 60  # the task holds it, not the message
    assert intake.render(item, False, V04).runs_on == item.runs_on
    assert task["startedBy"] == "ytarchive-download" and task["launchType"] == "FARGATE"
    (override,) = task["overrides"]["containerOverrides"]
    assert override == {
        "name": "download",
        "command": [video.youtube_id, "--owner", item.lease_owner, "--attempt", "1"],
    }
    assert task["overrides"]["ephemeralStorage"] == {"sizeInGiB": 111}
    assert not Video.count(video.youtube_id)

    # The container runs the entry point with those arguments: the real download, as the function's.
    assert download_task.main(override["command"]) == 0
    assert Video.get(video.youtube_id).title == video.title
    assert not QueueItem.count(video.youtube_id)


def aws_urls() -> dict:
    return {"DownloadQueueUrl": aws.queue_url(aws.DOWNLOAD)}


@pytest.fixture
def sqs(aws):
    return boto3.client("sqs")


def test_a_small_video_stays_in_the_function(fake_youtube, fargate, sqs):
    video = first_video(fake_youtube)
    intake.add([video.youtube_id], auto_start=True)
    drain(aws_urls(), sqs)
    assert Video.count(video.youtube_id) and not tasks(fargate)


def test_a_task_that_cannot_start_fails_the_message(fake_youtube, fargate, sqs, monkeypatch):
    settings = offload.get_settings()
    use_fargate(monkeypatch, "no-such-cluster", FAMILY, settings.fargate_subnets, settings.fargate_security_groups)
    video = first_video(fake_youtube)
    video.reported_size = BIG
    intake.add([video.youtube_id], auto_start=True)
    drain(aws_urls(), sqs, rounds=2)
    item = QueueItem.get(video.youtube_id)
    assert item.message.startswith("download failed (attempt 1 of 3): ECS refused the download task")
    assert item.lease_owner is None and item.runs_on is None
    attributes = sqs.get_queue_attributes(QueueUrl=aws.queue_url(aws.DOWNLOAD), AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1"  # back to the queue for a retry
    assert not Video.count(video.youtube_id)


# ---------------------------------------------------------------- the task's end


def stop_message(command: list[str], exit_code: int | None, reason: str = "Essential container in task exited"):
    """What the task-stopped rule (infra/fargate.yaml) puts on the download queue."""
    detail = {
        "lastStatus": "STOPPED",
        "startedBy": "ytarchive-download",
        "stoppedReason": reason,
        "overrides": {"containerOverrides": [{"name": "download", "command": command}]},
        "containers": [{"name": "download", "exitCode": exit_code, "lastStatus": "STOPPED"}],
    }
    return {"action": download.TASK_STOPPED, "task": detail}


def send(sqs, body: dict) -> None:
    sqs.send_message(QueueUrl=aws.queue_url(aws.DOWNLOAD), MessageBody=json.dumps(body))


def test_a_failed_task_is_retried_then_given_up(fake_youtube, fargate, sqs, monkeypatch):
    monkeypatch.setattr(download, "TASK_RETRY_SECONDS", 0)
    video = first_video(fake_youtube)
    video.reported_size, video.fault = BIG, "broken"
    intake.add([video.youtube_id], auto_start=True)
    drain(aws_urls(), sqs)
    for attempt in (1, 2, 3):
        task = tasks(fargate)[-1]
        command = task["overrides"]["containerOverrides"][0]["command"]
        assert command[-1] == str(attempt)
        assert download_task.main(command) == 1  # the container fails: its error is on the item
        message = QueueItem.get(video.youtube_id).message
        assert message.startswith(f"download failed {'3 times, given up' if attempt == 3 else f'(attempt {attempt}'}")
        send(sqs, stop_message(command, 1))
        drain(aws_urls(), sqs)  # the stop event, then (before the third) the retry, handed to a new task
        assert len(tasks(fargate)) == min(attempt + 1, 3)
    assert not Video.count(video.youtube_id)


def test_a_task_killed_before_writing_its_error(fake_youtube, fargate, sqs, monkeypatch):
    """Out of memory: the container never reports; the stop event writes the error and retries."""
    monkeypatch.setattr(download, "TASK_RETRY_SECONDS", 0)
    video = first_video(fake_youtube)
    video.reported_size = BIG
    intake.add([video.youtube_id], auto_start=True)
    drain(aws_urls(), sqs)
    command = tasks(fargate)[0]["overrides"]["containerOverrides"][0]["command"]
    send(sqs, stop_message(command, 137, "OutOfMemoryError: Container killed due to memory usage"))
    drain(aws_urls(), sqs, rounds=1)
    item = QueueItem.get(video.youtube_id)
    assert item.message == (
        "download failed (attempt 1 of 3): the download task stopped with exit code 137 "
        "(OutOfMemoryError: Container killed due to memory usage)"
    )
    drain(aws_urls(), sqs)
    assert len(tasks(fargate)) == 2  # attempt 2 went to a new task


def test_stop_events_that_name_no_download_are_dropped(aws):
    with pytest.raises(events.Malformed):
        download.task_stopped_event({})
    with pytest.raises(events.Malformed):
        download.task_stopped_event(stop_message(["not-an-id!", "--owner", "m"], 1)["task"])
    assert download.task_stopped("dQw4w9WgXcQ", "m-1", 1, 0) == "task done"


def test_the_stage_names_its_download_task_in_fargate_settings(monkeypatch):
    for name, value in {
        "FARGATE_CLUSTER": CLUSTER,
        "FARGATE_TASK_DEFINITION": FAMILY,
        "FARGATE_SUBNETS": "subnet-1,,subnet-2",
        "FARGATE_SECURITY_GROUPS": "sg-1",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        chosen = offload.runner()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert isinstance(chosen, offload.FargateRunner)
    assert (chosen.cluster, chosen.task_definition) == (CLUSTER, FAMILY)
    assert chosen.subnets == ("subnet-1", "subnet-2") and chosen.security_groups == ("sg-1",)
    assert offload.runner() is None  # no FARGATE_* (the local stage, tests)
