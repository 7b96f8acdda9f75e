"""Why a request or a job was refused, as plain exceptions that know nothing of HTTP.

Services, jobs, the YouTube adapter and the CLI raise these; functions.http.routing decides, in one place, the
status and the body each kind gets on each API.
"""


class DomainError(Exception):
    """A refusal with a message meant for the caller."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadRequest(DomainError):
    """The request cannot be carried out as sent."""


class InvalidCredentials(BadRequest):
    """A login with a wrong username or password."""

    def __init__(self, message: str = "Unable to log in with provided credentials."):
        super().__init__(message)


class Unauthorized(DomainError):
    """No credential where one is needed."""


class Forbidden(DomainError):
    """The caller may not do this."""


class NotFound(DomainError):
    """An unknown item."""


class Conflict(DomainError):
    """The item exists already, or changed meanwhile."""


class PayloadTooLarge(DomainError):
    """What was sent is larger than the archive takes."""


class UnsupportedMediaType(DomainError):
    """A body in a format the route does not read."""


class TooManyRequests(DomainError):
    """YouTube or the archive asks to slow down; `retry_after`: seconds, when known."""

    def __init__(self, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class ServiceUnavailable(DomainError):
    """Storage refused a write (see `storage_unavailable`); nothing was kept, the caller may try again."""


# Storage that refused a write it could not keep: DynamoDB's or S3's 503 once botocore's retries are spent, or
# the local run's 507 when its disk is full. Nothing of the request was kept; the caller may try again.
UNAVAILABLE_STATUSES = (503, 507)


def _chain(error: BaseException | None):
    """The error and those it came from (pynamodb keeps botocore's error as `cause`; others chain it)."""
    for _ in range(8):
        if error is None:
            return
        yield error
        error = getattr(error, "cause", None) or error.__cause__ or error.__context__


def _response(error: BaseException) -> dict:
    response = getattr(error, "response", None)
    return response if isinstance(response, dict) else {}


def storage_unavailable(error: BaseException | None) -> bool:
    """Whether an error comes from such a refusal."""
    statuses = (_response(cause).get("ResponseMetadata", {}).get("HTTPStatusCode") for cause in _chain(error))
    return any(status in UNAVAILABLE_STATUSES for status in statuses)


# DynamoDB's answers to a read of an index a deploy is rebuilding (infra/deploy_steps.py deletes an index whose key
# or projection changed, then creates it, and it fills before it can be read): it is back within minutes.
INDEX_REBUILDING = (
    "The table does not have the specified index",
    "Cannot read from backfilling global secondary index",
)


def index_rebuilding(error: BaseException | None) -> bool:
    """Whether an error is DynamoDB's refusal to read an index that is gone or still filling."""
    refusals = (_response(cause).get("Error", {}) for cause in _chain(error))
    return any(
        refusal.get("Code") == "ValidationException" and str(refusal.get("Message", "")).startswith(INDEX_REBUILDING)
        for refusal in refusals
    )
