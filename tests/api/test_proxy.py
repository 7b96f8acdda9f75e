"""/api/proxy/: the download proxy, kept as a secret and never shown with its credentials; what is not a proxy
URL is refused (400) and leaves the stored one as it was; yt-dlp then sends its requests through it."""

import json

import pytest

from functions.core.errors import BadRequest
from functions.jobs import download as job
from functions.services import app_settings, network
from functions.services.downloads import intake
from functions.storage import aws as storage_aws
from functions.storage.models import QueueItem
from functions.youtube import ytdlp
from tests.jobs.test_download import first_video

PROXY = "socks5://archiver:pa55word@proxy.example:1080"


@pytest.fixture
def proxy_reset(aws):
    yield
    network.remove_proxy()
    ytdlp.set_network(ytdlp.Network())


def put(client, headers, value):
    return client.http.put(
        "/api/proxy/", headers={**headers, "Content-Type": "application/json"}, body=json.dumps({"proxy": value})
    )


def test_a_proxy_is_stored_as_a_secret_and_shown_without_credentials(client, headers, proxy_reset):
    assert client.http.get("/api/proxy/", headers=headers).json_body == {"proxy_enabled": False, "proxy": None}
    response = put(client, headers, PROXY)
    assert (response.status_code, response.json_body) == (
        200,
        {"proxy_enabled": True, "proxy": "socks5://proxy.example:1080"},
    )
    assert "pa55word" not in client.http.get("/api/proxy/", headers=headers).body.decode()
    secret = storage_aws.read_secret(network.get_settings().proxy_secret_id)
    assert json.loads(secret) == {"proxy": PROXY}
    response = client.http.delete("/api/proxy/", headers=headers)
    assert response.json_body == {"proxy_enabled": False, "proxy": None}


@pytest.mark.parametrize(
    "value",
    [
        "not a url",
        "ftp://proxy.example:21",
        "http://",
        "http://host:99999",
        "http://host:port",
        "",
        5,
        None,
        "http://host:0",
        "http://ho st:80",
        "x" * 3000,
    ],
)
def test_what_is_not_a_proxy_url_is_400_and_keeps_the_stored_one(client, headers, proxy_reset, value):
    assert put(client, headers, PROXY).status_code == 200
    response = put(client, headers, value)
    assert response.status_code == 400 and "proxy" in response.json_body["error"]
    assert network.stored_proxy() == PROXY


def test_the_proxy_is_for_admins_only(client, other, proxy_reset):
    from tests.conftest import token_headers

    assert client.http.get("/api/proxy/", headers=token_headers(other)).status_code == 403
    assert put(client, token_headers(other), PROXY).status_code == 403


def test_yt_dlp_is_given_the_proxy_and_the_po_token_provider(aws, proxy_reset):
    network.store_proxy(PROXY)
    network.apply({"downloads": {"pot_provider_url": "http://bgutil.internal:4416"}})
    params = ytdlp._network.params({"youtube": {"lang": ["en"]}})
    assert params == {
        "proxy": PROXY,
        "extractor_args": {
            "youtube": {"lang": ["en"]},
            "youtubepot-bgutilhttp": {"base_url": ["http://bgutil.internal:4416"]},
        },
    }
    with pytest.raises(BadRequest, match="pot_provider_url"):
        network.apply({"downloads": {"pot_provider_url": "bgutil:4416"}})


def test_a_download_goes_through_the_proxy(fake_youtube, aws, proxy_reset):
    """Through a proxy that refuses connections: the download fails on the proxy, so yt-dlp used it."""
    network.store_proxy("http://127.0.0.1:9")
    video = first_video(fake_youtube)
    intake.add_entries([{"youtube_id": video.youtube_id}])
    body = json.dumps({"action": "download", "youtube_id": video.youtube_id})
    with pytest.raises(ytdlp.ExtractionFailed):
        job.handle_record({"messageId": "m-1", "body": body, "attributes": {}})
    assert (
        "127.0.0.1" in QueueItem.get(video.youtube_id).message
        or "proxy" in QueueItem.get(video.youtube_id).message.lower()
    )


def test_a_stored_proxy_that_is_not_a_url_fails_the_download_clearly(fake_youtube, aws, proxy_reset, monkeypatch):
    """The secret edited by hand: the item says so, the message goes back to the queue, nothing is archived."""
    storage_aws.write_secret(network.get_settings().proxy_secret_id, json.dumps({"proxy": "proxy.example:3128"}))
    monkeypatch.setattr(network, "_cached", None)  # as a function started after the edit
    video = first_video(fake_youtube)
    intake.add_entries([{"youtube_id": video.youtube_id}])
    body = json.dumps({"action": "download", "youtube_id": video.youtube_id})
    with pytest.raises(BadRequest):
        job.handle_record({"messageId": "m-1", "body": body, "attributes": {}})
    message = QueueItem.get(video.youtube_id).message
    assert message.startswith("download failed (attempt 1 of 3): the stored proxy must be a http")
    assert app_settings.current()["downloads"]["pot_provider_url"] is None
