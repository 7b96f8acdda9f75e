"""The authenticated user of one request, and DRF's refusals TubeArchivist clients expect."""

from collections.abc import Iterable

from pynamodb.models import Model

from functions.core import dialects
from functions.core.errors import Forbidden
from functions.core.settings import get_settings
from functions.services import app_settings
from functions.storage import db
from functions.storage.models import AppSetting, User

NO_CREDENTIALS = "Authentication credentials were not provided."
INVALID_TOKEN = "Invalid token."
NOT_ADMIN = "You do not have permission to perform this action."


class Viewer:
    """The authenticated user of one request, with their settings read in that request's first batch. `dialect`
    is the TubeArchivist API their credential speaks; `csrf_hash` the CSRF token a v0.5 web session's writes must
    carry."""

    def __init__(self, user_id: int, username: str, dialect: str = dialects.V04, csrf_hash: str | None = None):
        self.user_id = user_id
        self.username = username
        self.dialect = dialect
        self.csrf_hash = csrf_hash
        self._user: User | None = None
        self._app_config: dict | None = None

    def fetch(self, *requests: tuple[type[Model], Iterable]) -> list[dict]:
        """batch_get that also loads the user and app settings on its first call, in the same round trip."""
        if self._app_config is not None:
            return db.batch_get(*requests) if requests else []
        users, settings, *results = db.batch_get((User, [self.username]), (AppSetting, [app_settings.APP]), *requests)
        if self.username not in users:
            raise Forbidden(INVALID_TOKEN)  # user deleted since the key was issued
        self._user = users[self.username]
        self._app_config = app_settings.merged(settings.get(app_settings.APP))
        return results

    def confirm(self) -> "Viewer":
        """Read the user now: a view that reads nothing else refuses a deleted user's key before it acts."""
        self.fetch()
        return self

    def require_admin(self) -> "Viewer":
        """Only admins change the shared archive, as TubeArchivist's admin-write views allow."""
        if not self.user.is_admin:
            raise Forbidden(NOT_ADMIN)
        return self

    @property
    def user(self) -> User:
        if self._user is None:
            self.fetch()
        assert self._user is not None  # fetch() set it, or raised
        return self._user

    @property
    def page_size(self) -> int:
        return int(self.user.page_size or get_settings().default_page_size)

    @property
    def config(self) -> dict:
        if self._app_config is None:
            self.fetch()
        assert self._app_config is not None  # fetch() set it, or raised
        return {"page_size": self.page_size, **self._app_config}
