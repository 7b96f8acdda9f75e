"""The server-rendered pages of the Invidious web login: sign in, approve a token, the token itself, errors.

Small, plain HTML without scripts. Every value goes through `html.escape` when it is filled in, unless it is a
fragment this module built (`Safe`), so nothing a user or a client app sent can become markup.
"""

import time
from html import escape
from string import Template
from typing import TYPE_CHECKING

from functions.core import lazy

if TYPE_CHECKING:
    from functions.services.invidious import tokens
else:  # imported when a view first uses them (functions/core/lazy.py)
    tokens = lazy.modules("functions.services.invidious", "tokens")

HTML_TYPE = "text/html; charset=utf-8"
# No scripts, no frames (the consent page must not be clickjacked), no referer carrying the callback elsewhere.
# form-action is left open on purpose: Chromium applies it to the redirect after the form, i.e. to the callback.
PAGE_HEADERS = {
    "Content-Type": HTML_TYPE,
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: under no-referrer browsers send `Origin: null` with the pages' own form posts,
    # which the CSRF check (services/auth/origin.py) must refuse; other sites still get no referrer
    "Referrer-Policy": "same-origin",
}

STYLE = (
    "body{font-family:system-ui,sans-serif;background:#f4f4f5;color:#18181b;margin:0}"
    "main{max-width:32rem;margin:3rem auto;background:#fff;padding:1.5rem 2rem;border-radius:.5rem;"
    "box-shadow:0 1px 3px #0002}"
    "h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}"
    "input[type=text],input[type=password]{width:100%;padding:.5rem;box-sizing:border-box}"
    "button{margin-top:1rem;padding:.5rem 1.2rem;font-size:1rem;cursor:pointer}"
    ".error{color:#b91c1c;background:#fef2f2;padding:.5rem .8rem;border-radius:.3rem}"
    "code,pre,textarea{font-family:ui-monospace,monospace;font-size:.85rem}"
    "textarea{width:100%;box-sizing:border-box}li{margin:.3rem 0}"
)


class Safe(str):
    """HTML this module built; filled in as is."""


def fill(template: Template, **values) -> Safe:
    escaped = {
        name: value if isinstance(value, Safe) else escape(str(value), quote=True) for name, value in values.items()
    }
    return Safe(template.substitute(escaped))


LAYOUT = Template(
    """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title · ytarchive</title>
<style>$style</style>
</head>
<body>
<main>
<h1>$title</h1>
$content
</main>
</body>
</html>
"""
)

ERROR = Template('<p class="error" role="alert">$message</p>\n')

LOGIN = Template(
    """$error<form method="post" action="$base/login">
<label for="email">Username</label>
<input type="text" id="email" name="email" value="$username" autocomplete="username" autofocus required>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<input type="hidden" name="referer" value="$referer">
<input type="hidden" name="csrf_token" value="$csrf">
<button type="submit">Sign in</button>
</form>
"""
)

CONSENT = Template(
    """<p>Signed in as <strong>$username</strong>. An application asks for a token that allows:</p>
<ul>
$scopes</ul>
<p>$lifetime</p>
<p>$destination</p>
<form method="post" action="$base/authorize_token">
<input type="hidden" name="scopes" value="$scope_list">
<input type="hidden" name="callback_url" value="$callback_url">
<input type="hidden" name="expire" value="$expire">
<input type="hidden" name="csrf_token" value="$csrf">
<button type="submit" name="action" value="approve">Approve</button>
</form>
"""
)

SCOPE = Template("<li><code>$scope</code>: $description</li>\n")

TOKEN = Template(
    """<p>Your new token. Copy it into the application that asked for it; it is not shown again.</p>
<textarea readonly rows="6" aria-label="token">$token</textarea>
"""
)


def page(title: str, content: Safe) -> str:
    return str(fill(LAYOUT, title=title, style=Safe(STYLE), content=content))


def error_page(title: str, message: str) -> str:
    return page(title, fill(ERROR, message=message))


def login_page(referer: str, csrf: str, error: str | None = None, username: str = "", base: str = "") -> str:
    """`base`: the path prefix the site is served under (an API Gateway stage), '' at the root."""
    error_html = fill(ERROR, message=error) if error else Safe("")
    return page("Sign in", fill(LOGIN, error=error_html, username=username, referer=referer, csrf=csrf, base=base))


def describe_scope(text: str) -> str:
    """`GET;POST:playlists*` → "GET, POST on every endpoint starting with playlists"."""
    scope = tokens.parse_scope(text)
    methods = ", ".join(m for m in tokens.METHODS if m in scope.methods) if scope.methods else "any method"
    if scope.prefix:
        where = f"every endpoint starting with {scope.endpoint}" if scope.endpoint else "every endpoint"
    else:
        where = f"the {scope.endpoint or '(root)'} endpoint"
    return f"{methods} on {where}"


def consent_page(username: str, scopes: list[str], callback_url: str | None, expire, csrf: str, base: str = "") -> str:
    items = Safe("".join(fill(SCOPE, scope=s, description=describe_scope(s)) for s in scopes))
    expires_at = tokens.absolute_expiry(expire)
    if expires_at is None:
        lifetime = "The token does not expire; you can revoke it at any time."
    else:
        lifetime = "The token expires on " + time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(expires_at)) + "."
    if callback_url:
        destination = f"On approval, the token and your username are sent to {callback_url}"
    else:
        destination = "On approval, the token is shown on the next page."
    content = fill(
        CONSENT,
        username=username,
        scopes=items,
        lifetime=lifetime,
        destination=destination,
        scope_list=",".join(scopes),
        callback_url=callback_url or "",
        expire="" if expire is None else expire,
        csrf=csrf,
        base=base,
    )
    return page("Authorize token?", content)


def token_page(token_json: str) -> str:
    return page("Token created", fill(TOKEN, token=token_json))
