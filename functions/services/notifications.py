"""Notification URLs per task name (the AppSetting item "notifications"), and sending a message to them.

Apprise-style URLs, of the kinds this archive sends itself (no Apprise: its plugins would load into every job):

- `mailto://<address>`: e-mail through the stage's SNS topic (infra/resources.yaml NotificationTopic). Adding the
  URL subscribes the address with a filter policy on the `recipient` message attribute (AWS mails a confirmation
  link first), so each address gets only the messages sent to it; removing the URL unsubscribes it.
- `sns://` publishes to the stage's topic (its subscribers without a filter policy: ones you added yourself);
  `sns://<topic-name>` to another topic of the stage's account and region (the template lets the functions
  publish to topics named `ytarchive-<stage>-*`).
- `json://host[:port]/path` (HTTP) and `jsons://...` (HTTPS): a POST of the JSON object
  `{"version": "1.0", "title", "message", "type", "task_id", "task_name", "status"}` (`type`: `success`, `failure`
  or `info`, Apprise's notification types); any 2xx answer is a delivery.

The message of a run that ended: the title `[TA] <task title> process ended with <STATUS>`, the run's result as
the body, as TubeArchivist sends it. `send_ended` never raises: what could not be sent is returned, and recorded on
the run (functions.services.task_runs).
"""

import json
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit

from pynamodb.exceptions import DoesNotExist

from functions.core import logs
from functions.core.errors import BadRequest
from functions.storage import aws, db
from functions.storage.models import AppSetting

log = logs.logger(__name__)
ITEM = "notifications"
RECIPIENT = "recipient"  # the message attribute mailto:// subscriptions filter on
TIMEOUT_SECONDS = 10
ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
SCHEMES = ("mailto", "sns", "json", "jsons")
ATTEMPTS = 5


def _problem(url: str, reason: str) -> BadRequest:
    return BadRequest(f"Invalid notification URL format: {url}: {reason}")


def parse(url: str) -> tuple[str, str]:
    """(kind, target) of a URL: ("mailto", address), ("sns", topic name or ""), ("json", the http(s) URL);
    BadRequest with the reason otherwise."""
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not url.lower().startswith(f"{scheme}://"):
        raise _problem(url, f"use one of {', '.join(s + '://' for s in SCHEMES)}")
    if scheme == "mailto":
        address = url[len("mailto://") :]
        if not ADDRESS.match(address):
            raise _problem(url, "mailto:// takes one e-mail address, mailto://name@example.com")
        return "mailto", address
    if scheme == "sns":
        topic = url[len("sns://") :].strip("/")
        if topic and not TOPIC_NAME.match(topic):
            raise _problem(url, "sns:// takes a topic name (letters, digits, - and _), or none for the archive's")
        return "sns", topic
    try:
        port = parts.port
    except ValueError:
        raise _problem(url, "the port is not a number") from None
    if not parts.hostname or parts.username or parts.password:
        raise _problem(url, f"{scheme}:// takes a host, an optional port and path")
    web = "https" if scheme == "jsons" else "http"
    netloc = parts.hostname + (f":{port}" if port else "")
    return "json", urlunsplit((web, netloc, parts.path or "/", parts.query, ""))


# ---------------------------------------------------------------- stored URLs


def _read() -> tuple[dict, int]:
    try:
        value = AppSetting.get(ITEM, consistent_read=True).value.as_dict()
    except DoesNotExist:
        value = {}
    return value, int(value.get("version", 0))


def _write(change) -> dict:
    """Apply `change(urls, subscriptions)` to the stored document in one conditional write (retried when another
    write came between); the URLs per task after it."""
    for _ in range(ATTEMPTS):
        value, version = _read()
        urls = {name: list(found) for name, found in (value.get("urls") or {}).items()}
        subscriptions = dict(value.get("subscriptions") or {})
        change(urls, subscriptions)
        urls = {name: found for name, found in urls.items() if found}
        item = AppSetting(ITEM, value={"urls": urls, "subscriptions": subscriptions, "version": version + 1})
        condition = AppSetting.name.does_not_exist() if not version else AppSetting.value["version"] == version
        if db.conditional(item.save, condition=condition):
            return urls
    raise BadRequest("the notifications changed meanwhile: try again")


def all_urls() -> dict[str, list[str]]:
    return {name: list(found) for name, found in (_read()[0].get("urls") or {}).items()}


def urls_of(name: str) -> list[str]:
    return all_urls().get(name, [])


def add(name: str, url: str) -> dict[str, list[str]]:
    """Store a URL for a task (checked first: a bad one is a 400 and nothing is stored); a mailto:// address is
    subscribed to the stage's topic when no task had it yet."""
    url = url.strip()
    kind, target = parse(url)
    if kind == "mailto" and target not in _read()[0].get("subscriptions", {}):
        arn = aws.subscribe_email(aws.notify_topic(), target, RECIPIENT)
    else:
        arn = None

    def change(urls: dict, subscriptions: dict) -> None:
        if url not in urls.setdefault(name, []):
            urls[name].append(url)
        if arn:
            subscriptions.setdefault(target, arn)

    return _write(change)


def remove(name: str, url: str | None = None) -> None:
    """Remove one URL of a task, or all of them; an address no task has any more is unsubscribed."""
    gone: list[str] = []

    def change(urls: dict, subscriptions: dict) -> None:
        kept = [u for u in urls.get(name, []) if url is not None and u != url.strip()]
        urls[name] = kept
        still = {parse(u)[1] for found in urls.values() for u in found if u.lower().startswith("mailto://")}
        gone[:] = [subscriptions.pop(address) for address in list(subscriptions) if address not in still]

    _write(change)
    for arn in gone:
        aws.unsubscribe(arn)


# ---------------------------------------------------------------- sending


def deliver(url: str, title: str, body: str, extra: dict) -> None:
    """Send one message to one URL; raises with the reason when it was not delivered."""
    kind, target = parse(url)
    if kind == "mailto":
        aws.publish(aws.notify_topic(), title, body, {RECIPIENT: target})
    elif kind == "sns":
        aws.publish(aws.topic_arn(target) if target else aws.notify_topic(), title, body)
    else:
        payload = json.dumps({"version": "1.0", "title": title, "message": body, **extra}).encode()
        request = urllib.request.Request(
            target, data=payload, method="POST", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            if not 200 <= response.status < 300:
                raise RuntimeError(f"the server answered {response.status}")


def _reason(error: Exception) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"the server answered {error.code}"
    if isinstance(error, urllib.error.URLError):
        return f"could not reach the server: {error.reason}"
    return str(error) or type(error).__name__


def _kind(status: str) -> str:
    return {"SUCCESS": "success", "FAILURE": "failure"}.get(status, "info")


def send_ended(name: str, title: str, task_id: str, status: str, result: str | None) -> list[str]:
    """Notify the URLs of task `name` that run `task_id` ended; what could not be sent, one line a URL."""
    try:
        urls = urls_of(name)
    except Exception as error:  # the settings could not be read: the run still ends
        return [f"notification URLs unreadable: {_reason(error)}"]
    if not urls:
        return []
    subject = f"[TA] {title} process ended with {status}"
    extra = {"type": _kind(status), "task_id": task_id, "task_name": name, "status": status}
    problems = []
    for url in urls:
        try:
            deliver(url, subject, result or f"{title}: {status}", extra)
        except Exception as error:
            log.warning("notification of %s run %s to %s failed: %s", name, task_id, url, _reason(error))
            problems.append(f"{url}: {_reason(error)}"[:500])
    return problems


def test(url: str, name: str, title: str) -> tuple[bool, str]:
    """Send a test message to a URL: (delivered, why). A bad URL is a BadRequest."""
    parse(url)
    subject = f"[TA] {title} process ended with SUCCESS"
    body = "This is a test notification. Task completed successfully."
    extra = {"type": "success", "task_id": "test", "task_name": name, "status": "SUCCESS"}
    try:
        deliver(url.strip(), subject, body, extra)
    except Exception as error:
        return False, f"Notification failed: {_reason(error)}"
    return True, "Test notification sent successfully"
