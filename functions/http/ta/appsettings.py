"""The app settings: /api/appsettings/config/ (TubeArchivist v0.5's name), read by users, changed by admins."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.http.routing import ADMIN, USER, Call, Router
from functions.schemas.ta import SettingsUpdate

if TYPE_CHECKING:
    from functions.services import app_settings
else:  # imported when a view first uses them (functions/core/lazy.py)
    app_settings = lazy.modules("functions.services", "app_settings")

router = Router(__name__)


@router.route("/api/appsettings/config", auth=USER)
def get_config(call: Call):
    call.viewer.confirm()
    return app_settings.current()


@router.route("/api/appsettings/config", methods=("POST",), auth=ADMIN, body=SettingsUpdate)
def update_config(call: Call):
    """Change the keys a partial object names; an unknown key or a wrong value changes nothing (400)."""
    return app_settings.update(call.body)
