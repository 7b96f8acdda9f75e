"""The local run's moto endpoint, locked to this run's clients, and the gate that makes its writes durable.

moto checks no signature and answers every `Origin` with permissive CORS, so a web page on any local origin could
read every table. In front of it, the gate:
- refuses any request that carries an `Origin` (pages; SDKs never send one) and every preflight, and removes the
  CORS headers moto adds, so no page can read an answer;
- checks each request's AWS Signature V4 (header or presigned query) against a secret made for this run, kept
  owner-only in the data folder for `python -m infra.cli --local`; presigned URLs expire as S3's do;
- records every write in the data folder's store (infra/store.py) before it is answered; a write that cannot be
  made durable is answered 507 (botocore does not retry it; the API answers 503) and nothing of it stays (a
  message sent is taken back; a receive or a delete the disk refused is, at worst, delivered again: SQS delivers
  at least once).
"""

import calendar
import functools
import hashlib
import hmac
import io
import json
import logging
import re
import secrets
import threading
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from infra import dynamo_answers
from infra.dynamo_calls import IN_PROCESS, answer_in_process, call, request_environ
from infra.store import NotDurable, s3_backend, write_atomic

log = logging.getLogger("ytarchive.local")

HOST = "127.0.0.1"
DYNAMODB_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
DYNAMODB_WRITES |= {"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"}  # PartiQL may write
SQS_CHANGES = {"SendMessage", "SendMessageBatch", "DeleteMessage", "DeleteMessageBatch", "PurgeQueue"}
SQS_CHANGES |= {"ChangeMessageVisibility", "ChangeMessageVisibilityBatch"}
SQS_RECEIVE = "ReceiveMessage"  # changes receive counts and visibility, but may wait: recorded after its answer
NOT_DURABLE_STATUS = 507  # Insufficient Storage: not one of the statuses botocore retries
HEADER_AUTH = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/,]+)/(?P<scope>\d{8}/[^/,]+/(?P<service>[^/,]+)/aws4_request),\s*"
    r"SignedHeaders=(?P<headers>[a-z0-9;-]+),\s*Signature=(?P<signature>[0-9a-f]{64})"
)


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str

    @classmethod
    def create(cls, path: Path) -> "Credentials":
        """New keys for this run, written owner-only to `path` for the CLI; an older run's keys stop working."""
        made = cls("LOCAL" + secrets.token_hex(8).upper(), secrets.token_urlsafe(30))
        write_atomic(path, [json.dumps({"access_key": made.access_key, "secret_key": made.secret_key}).encode()])
        return made


# ---------------------------------------------------------------- AWS Signature V4


def _canonical_query(query: str, skip: str = "") -> str:
    pairs = []
    for pair in query.split("&") if query else ():
        name, _, value = pair.partition("=")
        name, value = quote(unquote(name), safe="-_.~"), quote(unquote(value), safe="-_.~")
        if name != skip:
            pairs.append(f"{name}={value}")
    return "&".join(sorted(pairs))


def _header(environ: dict, name: str) -> str:
    key = name.upper().replace("-", "_")
    value = environ.get(key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key, "")
    return " ".join(value.split())


def _signature(secret: str, scope: str, amz_date: str, canonical_request: str) -> str:
    day, region, service, _ = scope.split("/")
    key = ("AWS4" + secret).encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    return hmac.new(key, f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{digest}".encode(), hashlib.sha256).hexdigest()


def _canonical_path(raw_path: str, service: str) -> str:
    if service == "s3":  # S3 signs the path as sent; the other services sign it normalised and encoded again
        return raw_path
    from botocore.utils import normalize_url_path

    return quote(normalize_url_path(raw_path), safe="/~")


def signature_error(environ: dict, body: bytes, credentials: Credentials, now: float | None = None) -> str | None:
    """Why a request is not signed by this run's credentials, or None when it is."""
    raw_path, _, query = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or "/").partition("?")
    method = environ.get("REQUEST_METHOD", "GET")
    header = HEADER_AUTH.fullmatch(environ.get("HTTP_AUTHORIZATION", "").strip())
    if header:
        key, scope, service, signed, given = header.group("key", "scope", "service", "headers", "signature")
        amz_date = _header(environ, "x-amz-date")
        payload = _header(environ, "x-amz-content-sha256") or hashlib.sha256(body).hexdigest()
        canonical_query = _canonical_query(query)
    elif "X-Amz-Signature=" in query:
        params = {unquote(k): unquote(v) for k, _, v in (p.partition("=") for p in query.split("&"))}
        key, _, scope = params.get("X-Amz-Credential", "").partition("/")
        service = scope.split("/")[2] if scope.count("/") == 3 else ""
        signed, given, amz_date = params.get("X-Amz-SignedHeaders", ""), params["X-Amz-Signature"], ""
        amz_date = params.get("X-Amz-Date", "")
        try:
            expires = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ")) + int(params["X-Amz-Expires"])
        except (KeyError, ValueError):
            return "malformed presigned URL"
        if (now or time.time()) > expires:
            return "the presigned URL has expired"
        payload, canonical_query = "UNSIGNED-PAYLOAD", _canonical_query(query, skip="X-Amz-Signature")
    else:
        return "the request is not signed with AWS Signature Version 4"
    if not hmac.compare_digest(key, credentials.access_key) or not service:
        return "unknown access key"
    names = signed.split(";")
    canonical_headers = "".join(f"{name}:{_header(environ, name)}\n" for name in names)
    canonical = "\n".join(
        [method, _canonical_path(raw_path, service), canonical_query, canonical_headers, signed, payload]
    )
    if not hmac.compare_digest(_signature(credentials.secret_key, scope, amz_date, canonical), given):
        return "the signature does not match"
    return None


# ---------------------------------------------------------------- which requests write


def is_write(environ: dict) -> bool:
    """Whether a request to moto may change what the data folder holds: a DynamoDB write, or an S3 PUT, DELETE
    or POST (multipart uploads, batch deletes). Other services here either name their operation in X-Amz-Target
    (SQS) or POST with their own name in the signature (CloudFormation)."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.startswith("DynamoDB_") and target.rpartition(".")[2] in DYNAMODB_WRITES
    method = environ.get("REQUEST_METHOD")
    scope = re.search(
        r"/([\w-]+)/aws4_request", unquote(environ.get("HTTP_AUTHORIZATION", "") + environ.get("QUERY_STRING", ""))
    )
    return method in ("PUT", "DELETE") or (method == "POST" and (scope is None or scope[1] == "s3"))


def s3_keys_written(environ: dict, body: bytes) -> tuple[str, list[str]]:
    """The bucket and the object keys an S3 write may change (path-style addressing, as the local clients use)."""
    raw_path, _, query = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or "/").partition("?")
    bucket, _, key = raw_path.lstrip("/").partition("/")
    if key:
        return unquote(bucket), [unquote(key)]
    if "delete" in (pair.partition("=")[0] for pair in query.split("&")):  # DeleteObjects: keys in the body
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError:
            return unquote(bucket), []
        return unquote(bucket), [k.text or "" for k in root.iter() if k.tag.rpartition("}")[2] == "Key"]
    return unquote(bucket), []


# ---------------------------------------------------------------- the gate


def _read_body(environ: dict) -> bytes:
    stream = environ["wsgi.input"]
    if environ.get("wsgi.input_terminated"):
        return stream.read()
    length = environ.get("CONTENT_LENGTH")
    return stream.read(int(length)) if length and length.isdigit() else b""


def _error(environ: dict, status: int, code: str, message: str):
    if environ.get("HTTP_X_AMZ_TARGET"):
        body = json.dumps({"__type": f"com.amazonaws.local#{code}", "message": message}).encode()
        return body, "application/x-amz-json-1.0"
    body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode()
    return body, "application/xml"


STATUS_TEXT = {403: "Forbidden", NOT_DURABLE_STATUS: "Insufficient Storage"}


def _refuse(environ, start_response, status: int, code: str, message: str):
    body, content_type = _error(environ, status, code, message)
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    start_response(f"{status} {STATUS_TEXT[status]}", headers)
    return [body]


def _without_cors(start_response):
    def start(status, headers, exc_info=None):
        headers = [(name, value) for name, value in headers if not name.lower().startswith("access-control-")]
        return start_response(status, headers, exc_info)

    return start


def _collected(app, environ, start_response) -> list[bytes]:
    """Run the app to the end of its answer (inside a lock: the write is over once this returns)."""
    result = app(environ, start_response)
    try:
        return [b"".join(result)]
    finally:
        if hasattr(result, "close"):
            result.close()


def gate(moto_app, credentials: Credentials, store=None):
    """The WSGI app in front of moto; `store` None records nothing (while loading the data folder)."""

    def app(environ, start_response):
        if "HTTP_ORIGIN" in environ or environ.get("REQUEST_METHOD") == "OPTIONS":
            return _refuse(environ, start_response, 403, "AccessDenied", "requests from web pages are refused")
        body = _read_body(environ)
        environ["wsgi.input"] = io.BytesIO(body)
        problem = None if environ.get(IN_PROCESS) else signature_error(environ, body, credentials)
        if problem:
            return _refuse(environ, start_response, 403, "SignatureDoesNotMatch", problem)
        start_response = _without_cors(start_response)
        current = app.store
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if current is not None and target.startswith("AmazonSQS."):
            return _sqs_request(moto_app, current, environ, target.rpartition(".")[2], start_response)
        if current is None or not is_write(environ):
            return moto_app(environ, start_response)
        if target.startswith("DynamoDB_"):
            # One at a time, in journal order: replaying the journal then gives the same state. (moto's
            # TransactWriteItems also fails when another thread writes during its copy of the tables.)
            with current.dynamodb_lock:
                try:
                    current.record_dynamodb(target, body)
                except NotDurable as error:
                    log.error("write refused: %s", error)
                    return _refuse(environ, start_response, NOT_DURABLE_STATUS, "LocalStoreUnavailable", str(error))
                return _collected(moto_app, environ, start_response)
        if target:
            return moto_app(environ, start_response)
        return _s3_write(moto_app, current, environ, body, start_response)

    app.store = store
    return app


def _s3_write(moto_app, store, environ, body, start_response):
    bucket_name, keys = s3_keys_written(environ, body)
    with store.s3_lock:
        bucket = s3_backend().buckets.get(bucket_name)
        before = {key: bucket.keys.get(key) for key in keys} if bucket else {}
        answer = {}

        def capture(status, headers, exc_info=None):
            answer.update(status=status, headers=headers, exc_info=exc_info)

        result = _collected(moto_app, environ, capture)
        bucket = s3_backend().buckets.get(bucket_name)
        changed = [key for key in keys if bucket and bucket.keys.get(key) is not before[key]]
        recorded = 0
        try:
            for key in changed:
                store.record_object(bucket_name, key, bucket.keys.get(key))
                recorded += 1
        except NotDurable as error:
            log.error("write refused: %s", error)
            for key in changed[recorded:]:  # back to the last saved version (moto disposed of the one it replaced)
                store.restore_object(bucket_name, key)
            return _refuse(environ, start_response, NOT_DURABLE_STATUS, "LocalStoreUnavailable", str(error))
        start_response(answer["status"], answer["headers"], answer["exc_info"])
        return result


def _sqs_request(moto_app, store, environ, operation: str, start_response):
    if operation not in SQS_CHANGES and operation != SQS_RECEIVE:
        return moto_app(environ, start_response)
    answer = {}

    def capture(status, headers, exc_info=None):
        answer.update(status=status, headers=headers, exc_info=exc_info)

    if operation == SQS_RECEIVE:
        result = _collected(moto_app, environ, capture)
        if b'"MessageId"' in result[0]:
            with store.sqs_lock:
                try:
                    store.record_queues()
                except NotDurable as error:
                    log.error("receive refused: %s", error)
                    return _refuse(environ, start_response, NOT_DURABLE_STATUS, "LocalStoreUnavailable", str(error))
        start_response(answer["status"], answer["headers"], answer["exc_info"])
        return result
    with store.sqs_lock:
        result = _collected(moto_app, environ, capture)
        try:
            store.record_queues()
        except NotDurable as error:
            log.error("write refused: %s", error)
            if operation.startswith("SendMessage"):
                _take_back(result[0])
            return _refuse(environ, start_response, NOT_DURABLE_STATUS, "LocalStoreUnavailable", str(error))
    start_response(answer["status"], answer["headers"], answer["exc_info"])
    return result


def _take_back(answer: bytes) -> None:
    """Remove the messages a send just added (its answer names them) from moto's queue."""
    from infra.store import sqs_backend

    try:
        answered = json.loads(answer)
    except ValueError:
        return
    sent = {entry["MessageId"] for entry in answered.get("Successful", [answered]) if "MessageId" in entry}
    for queue in sqs_backend().queues.values():
        with queue._messages_lock:
            queue._messages = [message for message in queue._messages if message.id not in sent]


def in_process_caller(moto_app):
    """Run one recorded DynamoDB request against moto in this process, without the gate (journal replay)."""

    def replay(target: str, body: str) -> None:
        call(moto_app, request_environ("localhost", target, body.encode()))

    return replay


def serve_in_process(front, endpoint_url: str) -> None:
    """Answer this process's AWS clients for `endpoint_url` by calling the gate in the process, with no HTTP hop
    (a socket, a server thread, and urllib3 and werkzeug parsing each request): what moto's mock does, through
    the gate, so every write is still recorded before its answer. Other processes (the CLI, task runs, a browser
    given a presigned URL) still reach the gate over its port, signed. DynamoDB calls skip botocore's sending and
    parsing too (infra/dynamo_calls.py). Sessions made from now on use it."""
    from botocore import UNSIGNED
    from botocore.awsrequest import AWSResponse
    from botocore.handlers import BUILTIN_HANDLERS
    from moto.core.botocore_stubber import MockRawResponse
    from werkzeug.test import EnvironBuilder

    prefix = endpoint_url.rstrip("/") + "/"

    def unsigned(signing_type="standard", **_):
        # The gate takes this process's requests unsigned; signing was a tenth of a DynamoDB call's CPU.
        return UNSIGNED if signing_type == "standard" else None

    def send(request, event_name="", **_):
        if not request.url.startswith(prefix):
            return None
        if "Authorization" not in request.headers:  # moto finds a request's service from its credential scope
            service = event_name.split(".")[1]
            request.headers["Authorization"] = (
                f"AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/{service}/aws4_request"
            )
        body = request.body
        if hasattr(body, "read"):
            body = body.read()
        builder = EnvironBuilder(
            path=request.url[len(prefix) - 1 :].partition("?")[0],
            query_string=request.url.partition("?")[2],
            base_url=endpoint_url,
            method=request.method,
            headers={
                name: value.decode() if isinstance(value, bytes) else value for name, value in request.headers.items()
            },
            data=body.encode() if isinstance(body, str) else body or b"",
        )
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        environ[IN_PROCESS] = True
        environ["RAW_URI"] = request.url[len(prefix) - 1 :]  # S3 reads the path as sent
        status, headers, content = call(front, environ)
        return AWSResponse(request.url, status, headers, MockRawResponse(content))

    BUILTIN_HANDLERS.append(("before-call.dynamodb", answer_in_process(front, endpoint_url)))
    BUILTIN_HANDLERS.append(("before-send", send))
    BUILTIN_HANDLERS.append(("choose-signer.dynamodb", unsigned))  # no presigned DynamoDB URLs to keep signing


def start_moto(port: int, credentials: Credentials, store=None):
    """moto's server on loopback behind the gate, in a thread; the server (its `gate.store` may be set later)."""
    from moto.core import responses
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    class CachingDispatcher(DomainDispatcherApplication):
        """moto's dispatcher lists its package folder under a global lock to find each request's service; the
        answer for a host never changes, so it is looked up once per host."""

        @functools.cache  # noqa: B019 (one dispatcher per server, kept for the process's life)
        def get_backend_for_host(self, host):
            return super().get_backend_for_host(host)

        def __call__(self, environ, start_response):
            if environ.get(IN_PROCESS) and environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
                return dynamo_answers.answer_directly(environ, start_response)
            return super().__call__(environ, start_response)

    class Handler(MotoRequestHandler):
        disable_nagle_algorithm = True  # an answer's header and body are separate writes

    # moto finds a request's method by listing every function of its handler class (inspect.getmembers over the
    # class tree) at each request: a seventh of a local /api/ping/'s CPU. A class's functions do not change.
    if not hasattr(responses.method_names_from_class, "cache_info"):
        responses.method_names_from_class = functools.cache(responses.method_names_from_class)

    moto_app = CachingDispatcher(create_backend_app)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request to moto is noise, and costs CPU
    front = gate(moto_app, credentials, store)
    server = make_server(HOST, port, front, threaded=True, request_handler=Handler)
    server.gate, server.moto_app = front, moto_app
    threading.Thread(target=server.serve_forever, name="moto", daemon=True).start()
    return server
