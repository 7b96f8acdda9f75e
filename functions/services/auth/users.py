"""Users and their credentials: accounts, passwords (argon2), and the stored hashes of API tokens and session
secrets (`AuthKey`, keyed by the SHA-256 of the secret, so a leaked table reveals no credential)."""

import hashlib
import re
import secrets
import threading
import time

from pynamodb.exceptions import DoesNotExist

from functions.core import dialects
from functions.core.errors import BadRequest, Conflict, InvalidCredentials, NotFound
from functions.core.settings import get_settings
from functions.services.auth import throttle
from functions.storage import counters, db
from functions.storage.models import AuthKey, Counter, InvidiousSession, User, UserVideo

API_TOKEN = "api_token"  # the kinds of AuthKey
SESSION = "session"
USERNAME_PATTERN = re.compile(r"^[\w.@+-]{1,150}$")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _hasher():
    from argon2 import PasswordHasher  # only login and user management pay for it

    return PasswordHasher()


_hash_slots: threading.BoundedSemaphore | None = None


def _slots() -> threading.BoundedSemaphore:
    """argon2 takes 64 MiB a hash: at most PASSWORD_HASH_SLOTS run at once in a process, the others wait."""
    global _hash_slots
    if _hash_slots is None:
        _hash_slots = threading.BoundedSemaphore(get_settings().password_hash_slots)
    return _hash_slots


def hash_password(password: str) -> str:
    with _slots():
        return _hasher().hash(password)


def check_password(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    with _slots():
        try:
            return _hasher().verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def create_user(username: str, password: str, is_admin: bool = False, dialect: str = dialects.V04) -> User:
    """Create a user with a fresh API token speaking `dialect`; the name is claimed by a conditional write, never
    overwritten."""
    dialects.checked(dialect)
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
        password_hash=hash_password(password),
        api_token=token,
        is_admin=is_admin,
        created=now,
    )
    with db.transaction() as transaction:
        transaction.save(user, condition=User.username.does_not_exist())
        transaction.save(_api_key(token, user, now, dialect))
        db.add_member(transaction, counters.USERS, username, 1)
    if not transaction.committed:
        raise Conflict(f"user {username} exists")
    return user


def record_login(user: User) -> None:
    """Note when the user last logged in on the web (TubeArchivist's `last_login`)."""
    user.update(actions=[User.last_login.set(int(time.time()))], condition=User.username.exists())


def token_dialect(user: User) -> str:
    """The TubeArchivist dialect the user's API token speaks."""
    try:
        return AuthKey.get(digest(user.api_token)).dialect or dialects.V04
    except DoesNotExist:
        return dialects.V04


def replace_token(user: User, dialect: str | None = None) -> User:
    """A new API token for the user (in `dialect`, else the old one's): the old token stops working in the same
    transaction, which fails (409) if another replacement came first."""
    dialect = dialects.checked(dialect) if dialect is not None else token_dialect(user)
    token = secrets.token_hex(20)
    with db.transaction() as transaction:
        transaction.update(user, actions=[User.api_token.set(token)], condition=User.api_token == user.api_token)
        transaction.delete(AuthKey(digest(user.api_token)))
        transaction.save(_api_key(token, user, int(time.time()), dialect))
    if not transaction.committed:
        raise Conflict("the token was replaced meanwhile; read it again")
    user.api_token = token
    return user


def _next_user_id() -> int:
    counter = Counter(counters.USER_IDS)
    counter.update(actions=[Counter.count.add(1)])
    return int(counter.count)


def _api_key(token: str, user: User, now: int, dialect: str) -> AuthKey:
    return AuthKey(
        digest(token), kind=API_TOKEN, user_id=user.user_id, username=user.username, created=now, dialect=dialect
    )


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
    user.update(actions=[User.password_hash.set(hash_password(password))])
    end_sessions(user, keep_api_token=True)  # a new password ends every session and token the old one opened


def list_users() -> list[User]:
    """Every user, by name: the names the users counter keeps, then their items (two reads, no scan). Every create
    and remove keeps the counter; an archive from before it gets it from `infra.cli reindex` (or `recount`)."""
    (found,) = db.batch_get((Counter, [counters.USERS]))
    names = sorted(found[counters.USERS].members or []) if counters.USERS in found else []
    (stored,) = db.batch_get((User, names))
    return [stored[name] for name in names if name in stored]


def remove_user(username: str) -> None:
    """Delete the user, every credential of theirs (API token, TubeArchivist sessions, SIDs, Invidious tokens) and
    their state of the videos. The user row goes first: from then on every key of theirs is refused even before it
    is deleted."""
    user = get_user(username)
    with db.transaction() as transaction:
        transaction.delete(user, condition=User.username.exists())
        db.add_member(transaction, counters.USERS, username, -1)
    if not transaction.committed:
        raise NotFound(f"user {username} not found")
    end_sessions(user, keep_api_token=False)
    forget_states(int(user.user_id))


def forget_states(user_id: int) -> None:
    """A removed user's watched and unfinished videos go (their rows, so their watch index entries, and their
    watched and in-progress counters): user ids are never handed out again, but nothing of theirs lingers."""
    with UserVideo.batch_write() as batch:
        for state in UserVideo.query(user_id, attributes_to_get=["user_id", "youtube_id"]):
            batch.delete(state)
    Counter(counters.watched_by(user_id)).delete()
    Counter(counters.in_progress_by(user_id)).delete()


def end_sessions(user: User, keep_api_token: bool) -> None:
    """Delete the user's TubeArchivist sessions (and API token unless kept) and all their Invidious sessions."""
    with AuthKey.batch_write() as batch:
        for key in AuthKey.by_user.query(user.user_id):
            if not (keep_api_token and key.key_hash == digest(user.api_token)):
                batch.delete(AuthKey(key.key_hash))
    with InvidiousSession.batch_write() as batch:
        for session in InvidiousSession.by_user.query(user.user_id):
            batch.delete(InvidiousSession(session.session))


def verify_login(username, password, client: str | None = None) -> User:
    """The user whose credentials these are; 400 with TubeArchivist's body otherwise, 429 while the name or the
    client (its address) is throttled (functions.services.auth.throttle)."""
    failure = InvalidCredentials()
    if not isinstance(username, str) or not isinstance(password, str) or not USERNAME_PATTERN.match(username):
        raise failure
    throttle.check(username, client)
    try:
        user = User.get(username)
    except DoesNotExist:
        hash_password(password)  # same work as a real check, so timing does not tell which names exist
        user = None
    if user is None or not check_password(user.password_hash, password):
        throttle.record_failure(username, client)
        raise failure
    throttle.record_success(username)
    return user
