"""Typed errors raised by services; functions.http.errors turns them into JSON responses."""

from chalice import ChaliceUnhandledError


class ApiError(ChaliceUnhandledError):
    """An error with a status code and a JSON body; propagates through Chalice to the error middleware."""

    status_code = 400

    def __init__(self, message: str, body: dict | None = None, headers: dict | None = None):
        super().__init__(message)
        self.message = message
        self.body = body if body is not None else {"error": message}
        self.headers = headers or {}


class BadRequest(ApiError):
    status_code = 400


class Unauthorized(ApiError):
    status_code = 401


class Forbidden(ApiError):
    status_code = 403


class NotFound(ApiError):
    """An unknown item: TubeArchivist clients look for `data: false` beside the error."""

    status_code = 404

    def __init__(self, message: str, body: dict | None = None):
        super().__init__(message, body if body is not None else {"data": False, "error": message})


class MethodNotAllowed(ApiError):
    status_code = 405


class Conflict(ApiError):
    status_code = 409


class PayloadTooLarge(ApiError):
    status_code = 413


class UnsupportedMediaType(ApiError):
    status_code = 415


class TooManyRequests(ApiError):
    status_code = 429


class ServiceUnavailable(ApiError):
    status_code = 503


# Storage that refused a write it could not keep: DynamoDB's or S3's 503 once botocore's retries are spent, or
# the local run's 507 when its disk is full. Nothing of the request was kept; the caller may try again.
UNAVAILABLE_STATUSES = (503, 507)


def storage_unavailable(error: BaseException | None) -> bool:
    """Whether an error comes from such a refusal (pynamodb keeps botocore's error as `cause`; others chain it)."""
    for _ in range(8):
        if error is None:
            return False
        response = getattr(error, "response", None)
        if isinstance(response, dict) and response.get("ResponseMetadata", {}).get("HTTPStatusCode") in (
            UNAVAILABLE_STATUSES
        ):
            return True
        error = getattr(error, "cause", None) or error.__cause__ or error.__context__
    return False
