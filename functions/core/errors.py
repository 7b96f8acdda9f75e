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
    """YouTube or the archive asks to slow down."""
