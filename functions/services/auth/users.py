"""Users and their credentials: accounts, passwords (argon2), and the stored hashes of API tokens and session
secrets (`AuthKey`, keyed by the SHA-256 of the secret, so a leaked table reveals no credential)."""

import hashlib
import re
import secrets
import time

from pynamodb.exceptions import DoesNotExist

from functions.core.errors import BadRequest, Conflict, NotFound
from functions.storage import counters, db
from functions.storage.models import AuthKey, Counter, User

API_TOKEN = "api_token"  # the kinds of AuthKey
SESSION = "session"
USERNAME_PATTERN = re.compile(r"^[\w.@+-]{1,150}$")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _hasher():
    from argon2 import PasswordHasher  # only login and user management pay for it

    return PasswordHasher()


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
    with db.transaction() as transaction:
        transaction.save(user, condition=User.username.does_not_exist())
        transaction.save(_api_key(token, user, now))
    if not transaction.committed:
        raise Conflict(f"user {username} exists")
    return user


def _next_user_id() -> int:
    counter = Counter(counters.USER_IDS)
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
    for key in AuthKey.by_user.query(user.user_id):
        stored = AuthKey.get(key.key_hash)
        if stored.kind == SESSION:
            stored.delete()  # a new password ends every web session


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
