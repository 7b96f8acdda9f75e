"""Who may read the public Invidious API: anyone when the owner opened it (settings.public_invidious: the local
run, or PUBLIC_INVIDIOUS=true), else the instance's users, by any credential they have. Media links stay signed
either way."""

from functions.core.errors import Forbidden
from functions.core.settings import get_settings
from functions.services.auth import sessions
from functions.services.invidious import tokens

PRIVATE = (
    "This instance's Invidious API is private: send an Invidious token (Authorization: Bearer), "
    "the SID cookie of /login, or a TubeArchivist token (Authorization: Token)"
)


def public_viewer(request):
    """None when the API is open; the signed-in viewer otherwise; 403 `{"error"}` saying what to send."""
    if get_settings().public_invidious:
        return None
    headers = request.headers
    header = (headers.get("authorization") or "").strip()
    try:
        if header[:6].lower() == "token " or (
            not header
            and sessions.session_cookie_named(headers, sessions.SESSION_COOKIE)
            and not sessions.session_cookie_named(headers, tokens.SID_COOKIE)
        ):
            return sessions.authenticate(headers).confirm()
        return tokens.signed_in_viewer(request)
    except Forbidden:
        raise Forbidden(PRIVATE) from None
