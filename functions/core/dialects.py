"""The TubeArchivist API dialects: v0.4 (the envelope `{"data", "config"}`) and v0.5 (bare objects, lists as
`{"data", "paginate"}`). A credential carries one: API tokens the one their owner picked, v0.5 logins v0.5."""

from functions.core.errors import BadRequest

V04 = "v0.4"
V05 = "v0.5"
DIALECTS = (V04, V05)


def checked(dialect: str | None) -> str:
    """A dialect a caller named; 400 for any other."""
    if dialect not in DIALECTS:
        raise BadRequest(f"dialect must be one of {', '.join(DIALECTS)}")
    return dialect
