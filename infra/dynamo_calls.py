"""This process's DynamoDB calls answered by the moto gate in the process, past botocore's sending and parsing.

A local `/api/video/` makes four DynamoDB calls; through botocore's HTTP path each paid for hooks, retries, a
werkzeug `EnvironBuilder`, and a walk of the answer along the operation's output shape (a fifth of the request's
CPU for 40 items): work for a network that is not there. Here a `before-call` handler hands the request botocore
has serialised to the gate as a plain WSGI environ (the gate still records every write before it answers, and its
507 still refuses a write the disk refused) and answers botocore with what its parser would have made: the JSON,
with binary values decoded (the only member the item operations' output shapes convert), and the same
`ResponseMetadata`. Other operations' answers and every error go through botocore's own parser.
tests/test_local_transport.py checks both ways give the same answers and errors.
"""

import base64
import io
import json
import sys
from urllib.parse import urlsplit

from infra.dynamo_answers import ITEM_OPERATIONS

IN_PROCESS = "ytarchive.in_process"  # an environ key no HTTP request can set (their headers are HTTP_*)
CONTENT_TYPE = "application/x-amz-json-1.0"


def request_environ(host: str, target: str, body: bytes, region: str = "us-east-1", headers=()) -> dict:
    """The WSGI environ of one DynamoDB request, as moto's server would receive it: moto finds the service and
    the region in the credential scope of `Authorization`."""
    name, _, port = host.partition(":")
    environ = {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "RAW_URI": "/",
        "SERVER_NAME": name,
        "SERVER_PORT": port or "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "HTTP_HOST": host,
        "CONTENT_TYPE": CONTENT_TYPE,
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_AMZ_TARGET": target,
        "HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 Credential=local/20260101/{region}/dynamodb/aws4_request",
    }
    for header, value in headers:
        environ["HTTP_" + header.upper().replace("-", "_")] = value
    return environ


def call(app, environ: dict) -> tuple[int, list[tuple[str, str]], bytes]:
    """Run a WSGI app on one request to the end: status, headers, body."""
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=int(status.split(" ", 1)[0]), headers=headers)

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return answer["status"], answer["headers"], body


def _decode_blobs(node) -> None:
    """Binary values (`B`, `BS`) of attribute values anywhere in an answer, base64-decoded in place, as botocore's
    blob shape does. A key `B` with a string (or `BS` with a list of strings) is an attribute value: attribute
    names map to attribute values (objects), and table names are at least 3 characters long."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "B" and isinstance(value, str):
                node[key] = base64.b64decode(value)
            elif key == "BS" and isinstance(value, list) and all(isinstance(v, str) for v in value):
                node[key] = [base64.b64decode(v) for v in value]
            elif isinstance(value, dict | list):
                _decode_blobs(value)
    elif isinstance(node, list):
        for value in node:
            if isinstance(value, dict | list):
                _decode_blobs(value)


def parsed_item_answer(status: int, headers: dict, body: bytes, members) -> dict:
    """A successful item operation's answer as botocore's JSON parser gives it: its output shape's `members`
    (moto adds others, such as DeleteItem's ConsumedCapacityUnits)."""
    parsed = {name: value for name, value in json.loads(body).items() if name in members} if body else {}
    if b'"B"' in body or b'"BS"' in body:
        _decode_blobs(parsed)
    metadata = {"RequestId": headers["x-amzn-requestid"]} if "x-amzn-requestid" in headers else {}
    parsed["ResponseMetadata"] = {**metadata, "HTTPStatusCode": status, "HTTPHeaders": headers, "RetryAttempts": 0}
    return parsed


def answer_in_process(front, endpoint_url: str):
    """A botocore `before-call.dynamodb` handler answering requests for `endpoint_url` by calling `front` (the
    gate) in this process; requests for any other endpoint go botocore's way."""
    from botocore.awsrequest import AWSResponse
    from botocore.parsers import create_parser
    from moto.core.botocore_stubber import MockRawResponse

    prefix = endpoint_url.rstrip("/") + "/"
    host = urlsplit(endpoint_url).netloc
    parser = create_parser("json")  # DynamoDB's protocol; stateless, shared by threads

    def before_call(model, params, context, **_):
        if not params["url"].startswith(prefix) or params["url_path"] != "/":
            return None
        body = params["body"]
        body = body.encode() if isinstance(body, str) else body or b""
        target = params["headers"]["X-Amz-Target"]
        environ = request_environ(host, target, body, context.get("client_region") or "us-east-1")
        environ[IN_PROCESS] = True
        status, header_list, content = call(front, environ)
        http = AWSResponse(params["url"], status, header_list, MockRawResponse(content))
        headers = {name.lower(): value for name, value in header_list}
        if status < 300 and model.name in ITEM_OPERATIONS:
            return http, parsed_item_answer(status, headers, content, model.output_shape.members)
        answer = {"status_code": status, "headers": http.headers, "body": content, "context": context}
        parsed = parser.parse(answer, model.output_shape)
        error_shape = model.service_model.shape_for_error_code(parsed.get("Error", {}).get("Code"))
        if status >= 300 and error_shape is not None:  # the error's own members (CancellationReasons, Item)
            parsed.update(parser.parse(answer, error_shape))
        parsed["ResponseMetadata"]["RetryAttempts"] = 0
        return http, parsed

    return before_call
