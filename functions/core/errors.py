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
