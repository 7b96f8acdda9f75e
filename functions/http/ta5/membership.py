"""v0.5's members platform paths: /api/appsettings/membership/token/ (GET/POST/DELETE the admin's API key for
it), profile/ (the sponsor's profile there) and sync/ (send the subscribed channels); admins only, as
TubeArchivist's AdminOnly views. The platform's refusals are 400s with its `detail` (functions.services.membership)."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.core.dialects import V05
from functions.http.routing import ADMIN, NO_CONTENT, Call, Router
from functions.http.ta5.shapes import no_content
from functions.schemas.ta5 import MembershipProfile, MembershipToken

if TYPE_CHECKING:
    from functions.services import membership
else:  # imported when a view first uses them (functions/core/lazy.py)
    membership = lazy.modules("functions.services", "membership")

router = Router(__name__, dialect=V05)


@router.route("/api/appsettings/membership/token", auth=ADMIN, returns=MembershipToken)
def show_token(call: Call):
    return MembershipToken(token=membership.token())


@router.route(
    "/api/appsettings/membership/token", methods=("POST",), auth=ADMIN, body=MembershipToken, returns=MembershipToken
)
def store_token(call: Call):
    return MembershipToken(token=membership.store_token(call.body.token or ""))


@router.route("/api/appsettings/membership/token", methods=("DELETE",), auth=ADMIN, returns=NO_CONTENT)
def forget_token(call: Call):
    membership.forget_token()
    return no_content()


@router.route("/api/appsettings/membership/profile", auth=ADMIN, returns=MembershipProfile)
def profile(call: Call):
    return membership.profile()


@router.route("/api/appsettings/membership/sync", methods=("POST",), auth=ADMIN, returns=NO_CONTENT)
def sync(call: Call):
    membership.sync(call.viewer.config)
    return no_content()
