"""Users, credentials and the per-request viewer: TubeArchivist's `Authorization: Token` and session cookie."""

import hashlib
import hmac
import re
import secrets
import time
from datetime import timedelta
from http.cookies import CookieError, SimpleCookie

from pynamodb.exceptions import DeleteError, DoesNotExist, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from functions.core.errors import BadRequest, Conflict, Forbidden, NotFound
from functions.core.pagination import paginate
from functions.core.settings import DEFAULT_APP_CONFIG, get_settings
from functions.storage import db
from functions.storage.models import AppSetting, AuthKey, Counter, InvidiousSession, User

SESSION_COOKIE = "sessionid"
API_TOKEN = "api_token"
SESSION = "session"
USERNAME_PATTERN = re.compile(r"^[\w.@+-]{1,150}$")
NO_CREDENTIALS = "Authentication credentials were not provided."
INVALID_TOKEN = "Invalid token."
NOT_ADMIN = "You do not have permission to perform this action."
USER_ID_COUNTER = "user_id"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _hasher():
    from argon2 import PasswordHasher  # only login and user management pay for it

    return PasswordHasher()


# ---------------------------------------------------------------- users


def create_user(username: str, password: str, is_admin: bool = False) -> User:
    """Create a user with a fresh API token; the name is claimed by a conditional write, never overwritten."""
    if not USERNAME_PATTERN.match(username or ""):
        raise BadRequest("username: letters, digits and @.+-_ only, 1 to 150 characters")
    if not password:
        raise BadRequest("password must not be empty")
    user_id = _next_user_id()
    token = secrets.token_hex(20)
    now = int(time.time())
    user = User(
        username,
        user_id=user_id,
        password_hash=_hasher().hash(password),
        api_token=token,
        is_admin=is_admin,
        created=now,
    )
    try:
        with TransactWrite(connection=db.connection()) as transaction:
            transaction.save(user, condition=User.username.does_not_exist())
            transaction.save(_api_key(token, user, now))
    except TransactWriteError as error:
        if db.is_condition_failure(error):
            raise Conflict(f"user {username} exists") from None
        raise
    return user


def _next_user_id() -> int:
    counter = Counter(USER_ID_COUNTER)
    counter.update(actions=[Counter.count.add(1)])
    return int(counter.count)


def _api_key(token: str, user: User, now: int) -> AuthKey:
    return AuthKey(digest(token), kind=API_TOKEN, user_id=user.user_id, username=user.username, created=now)


def get_user(username: str) -> User:
    try:
        return User.get(username)
    except DoesNotExist:
        raise NotFound(f"user {username} not found") from None


def ensure_user(username: str, password: str, is_admin: bool = False) -> tuple[User, bool]:
    """The user of that name, created with that password when missing; True when it was created."""
    try:
        return User.get(username), False
    except DoesNotExist:
        pass
    try:
        return create_user(username, password, is_admin=is_admin), True
    except Conflict:  # created meanwhile by another process
        return User.get(username), False


def set_password(username: str, password: str) -> None:
    if not password:
        raise BadRequest("password must not be empty")
    user = get_user(username)
    user.update(actions=[User.password_hash.set(_hasher().hash(password))])
    end_sessions(user, keep_api_token=True)  # a new password ends every session and token the old one opened


def remove_user(username: str) -> None:
    """Delete the user and every credential of theirs: API token, TubeArchivist sessions, SIDs, Invidious tokens.
    The user row goes first: from then on every key of theirs is refused even before it is deleted."""
    user = get_user(username)
    user.delete()
    end_sessions(user, keep_api_token=False)


def end_sessions(user: User, keep_api_token: bool) -> None:
    """Delete the user's TubeArchivist sessions (and API token unless kept) and all their Invidious sessions."""
    with AuthKey.batch_write() as batch:
        for key in AuthKey.by_user.query(user.user_id):
            if not (keep_api_token and key.key_hash == digest(user.api_token)):
                batch.delete(AuthKey(key.key_hash))
    with InvidiousSession.batch_write() as batch:
        for session in InvidiousSession.by_user.query(user.user_id):
            batch.delete(InvidiousSession(session.session))


def end_session(secret: str) -> bool:
    """Log out: delete the TubeArchivist session this cookie value opened; False when there was none."""
    try:
        AuthKey(digest(secret)).delete(condition=AuthKey.kind == SESSION)
    except DeleteError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def verify_login(username, password) -> User:
    """The user whose credentials these are; 400 with TubeArchivist's body otherwise."""
    failure = BadRequest(
        "Unable to log in with provided credentials.",
        body={"non_field_errors": ["Unable to log in with provided credentials."]},
    )
    if not isinstance(username, str) or not isinstance(password, str) or not USERNAME_PATTERN.match(username):
        raise failure
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    try:
        user = User.get(username)
    except DoesNotExist:
        hasher.hash(password)  # same work as a real check, so timing does not tell which names exist
        raise failure from None
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise failure from None
    return user


def start_session(user: User) -> tuple[str, int]:
    """A new web session for `user`: the cookie's secret and its lifetime in seconds."""
    secret = secrets.token_urlsafe(32)
    lifetime = get_settings().session_days * 86400
    now = int(time.time())
    AuthKey(
        digest(secret),
        kind=SESSION,
        user_id=user.user_id,
        username=user.username,
        created=now,
        expires=timedelta(seconds=lifetime),
    ).save()
    return secret, lifetime


# ---------------------------------------------------------------- the viewer of one request


class Viewer:
    """The authenticated user of one request, with their settings read in that request's first batch."""

    def __init__(self, user_id: int, username: str):
        self.user_id = user_id
        self.username = username
        self._user: User | None = None
        self._app_config: dict | None = None

    def page_keys(self, counter: str, index, hash_key: str, page, scan_forward: bool = False) -> tuple[list, dict]:
        """The index keys of one numbered page and its `paginate` object: the total comes from `counter`, read
        with the viewer's settings in one batch; keys are read only up to the page's offset."""
        (found,) = self.fetch((Counter, [counter]))
        total = int(found[counter].count) if counter in found else 0
        size = self.page_size
        paging = paginate(page, size, total)
        keys = db.query_page(index, hash_key, page.offset(size), size, scan_forward) if total else []
        return keys, paging

    def fetch(self, *requests: tuple[type[Model], list]) -> list[dict]:
        """batch_get that also loads the user and app settings on its first call, in the same round trip."""
        if self._app_config is not None:
            return db.batch_get(*requests) if requests else []
        users, settings, *results = db.batch_get((User, [self.username]), (AppSetting, ["app"]), *requests)
        if self.username not in users:
            raise Forbidden(INVALID_TOKEN, body={"detail": INVALID_TOKEN})  # user deleted since the key was issued
        self._user = users[self.username]
        stored = settings["app"].value.as_dict() if "app" in settings else {}
        self._app_config = merge_config(DEFAULT_APP_CONFIG, stored)
        return results

    def confirm(self) -> "Viewer":
        """Read the user now: a view that reads nothing else refuses a deleted user's key before it acts."""
        self.fetch()
        return self

    def require_admin(self) -> "Viewer":
        """Only admins change the shared archive, as TubeArchivist's admin-write views allow."""
        if not self.user.is_admin:
            raise _denied(NOT_ADMIN)
        return self

    @property
    def user(self) -> User:
        if self._user is None:
            self.fetch()
        return self._user

    @property
    def page_size(self) -> int:
        return int(self.user.page_size or get_settings().default_page_size)

    @property
    def config(self) -> dict:
        if self._app_config is None:
            self.fetch()
        return {"page_size": self.page_size, **self._app_config}


def merge_config(defaults: dict, stored: dict) -> dict:
    merged = {}
    for key, value in defaults.items():
        if isinstance(value, dict):
            merged[key] = merge_config(value, stored.get(key) or {})
        else:
            merged[key] = stored.get(key, value)
    return merged


def _denied(reason: str) -> Forbidden:
    return Forbidden(reason, body={"detail": reason})


def authenticate(headers: dict) -> Viewer:
    """The viewer a request's `Authorization: Token` header or session cookie names; 403 otherwise."""
    authorization = headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "token" or not token.strip():
            raise _denied(INVALID_TOKEN)
        return _viewer_for(token.strip(), API_TOKEN, _denied(INVALID_TOKEN))
    session = session_cookie_named(headers, SESSION_COOKIE)
    if session:
        return _viewer_for(session, SESSION, _denied(NO_CREDENTIALS))
    raise _denied(NO_CREDENTIALS)


def session_cookie_named(headers: dict, name: str) -> str | None:
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie") or "")
    except CookieError:
        return None
    morsel = cookie.get(name)
    return morsel.value if morsel else None


def authenticate_request(request) -> Viewer:
    """The TubeArchivist viewer of a Chalice request."""
    return authenticate(request.headers)


def _viewer_for(secret: str, kind: str, failure: Forbidden) -> Viewer:
    expected = digest(secret)
    try:
        key = AuthKey.get(expected)
    except DoesNotExist:
        raise failure from None
    if key.kind != kind or not hmac.compare_digest(key.key_hash, expected):
        raise failure
    if key.expires is not None and key.expires.timestamp() <= time.time():
        raise failure
    return Viewer(int(key.user_id), key.username)
