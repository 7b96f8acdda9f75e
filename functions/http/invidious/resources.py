"""The Invidious resources: /api/v1/auth/ feed, notifications, playlists, preferences, subscriptions, history,
and the public /api/v1/playlists/{id}. Thin routes: the services live in functions.services.invidious."""

from typing import TYPE_CHECKING

from chalice import Response

from functions.core import lazy
from functions.http.routing import INVIDIOUS, INVIDIOUS_CORS, Call, Router
from functions.schemas.invidious import (
    PlaylistCreate,
    PlaylistPage,
    PlaylistUpdate,
    PlaylistVideoAdd,
    PreferencesUpdate,
    ResultsPage,
)

if TYPE_CHECKING:
    from functions.services.invidious import (
        access,
        feed,
        history,
        links,
        notifications,
        playlists,
        preferences,
        subscriptions,
    )
else:  # imported when a view first uses them (functions/core/lazy.py)
    access, feed, history, links, notifications, playlists, preferences, subscriptions = lazy.modules(
        "functions.services.invidious",
        "access",
        "feed",
        "history",
        "links",
        "notifications",
        "playlists",
        "preferences",
        "subscriptions",
    )

router = Router(__name__)
AUTH = "/api/v1/auth"
EVENT_STREAM: dict[str, str | list[str]] = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}


def auth_route(path: str, methods: tuple[str, ...] = ("GET",), query: type | None = None, body: type | None = None):
    return router.route(
        AUTH + path, methods, auth=INVIDIOUS(path.lstrip("/")), cors=INVIDIOUS_CORS, query=query, body=body
    )


def no_content() -> Response:
    return Response(body="", status_code=204)


# ---------------------------------------------------------------- feed and notifications


@auth_route("/feed", query=ResultsPage)
def get_feed(call: Call):
    return feed.page(call.viewer, call.params)


@auth_route("/notifications")
def get_notifications(call: Call):
    query = call.query
    topics = notifications.parse_topics(query.get("topics"))
    body = notifications.stream(topics, notifications.parse_since(query.get("since")))
    return Response(body=body, status_code=200, headers=EVENT_STREAM)


@auth_route("/notifications", methods=("POST",))
def post_notifications(call: Call):
    fields = {**call.query, **(call.form() if (call.request.raw_body or b"").strip() else {})}
    topics = notifications.parse_topics(fields.get("topics"))
    body = notifications.stream(topics, notifications.parse_since(fields.get("since")))
    return Response(body=body, status_code=200, headers=EVENT_STREAM)


# ---------------------------------------------------------------- playlists


@auth_route("/playlists")
def list_playlists(call: Call):
    return playlists.list_all(call.viewer)


@auth_route("/playlists", methods=("POST",), body=PlaylistCreate)
def create_playlist(call: Call):
    playlist = playlists.create(call.viewer, call.body)
    return Response(
        body={"title": playlist.title, "playlistId": playlist.playlist_id},
        status_code=201,
        headers={"Location": f"{links.base_url()}{AUTH}/playlists/{playlist.playlist_id}"},
    )


@auth_route("/playlists/{playlist_id}", query=PlaylistPage)
def get_own_playlist(call: Call, playlist_id: str):
    return playlists.detail(call.viewer, playlist_id, call.params)


# Public, but a valid token that may read the same playlist under /auth/ (`GET:playlists*`) shows it as its owner.
@router.route(
    "/api/v1/playlists/{playlist_id}",
    auth=INVIDIOUS("playlists/{playlist_id}", optional=True),
    cors=INVIDIOUS_CORS,
    query=PlaylistPage,
)
def get_playlist(call: Call, playlist_id: str):
    viewer = call.viewer or access.public_viewer(call.request)  # anonymous only when the owner opened the API
    return playlists.detail(viewer, playlist_id, call.params)


@auth_route("/playlists/{playlist_id}", methods=("PATCH",), body=PlaylistUpdate)
def update_playlist(call: Call, playlist_id: str):
    playlists.update(call.viewer, playlist_id, call.body)
    return no_content()


@auth_route("/playlists/{playlist_id}", methods=("DELETE",))
def delete_playlist(call: Call, playlist_id: str):
    playlists.delete(call.viewer, playlist_id)
    return no_content()


@auth_route("/playlists/{playlist_id}/videos", methods=("POST",), body=PlaylistVideoAdd)
def add_playlist_video(call: Call, playlist_id: str):
    video = playlists.add_video(call.viewer, playlist_id, call.body)
    location = f"{links.base_url()}{AUTH}/playlists/{playlist_id}/videos/{video['indexId']}"
    return Response(body=video, status_code=201, headers={"Location": location})


@auth_route("/playlists/{playlist_id}/videos/{index_id}", methods=("DELETE",))
def remove_playlist_video(call: Call, playlist_id: str, index_id: str):
    playlists.remove_video(call.viewer, playlist_id, index_id)
    return no_content()


# ---------------------------------------------------------------- preferences


@auth_route("/preferences")
def get_preferences(call: Call):
    return preferences.of(call.viewer.user)


@auth_route("/preferences", methods=("POST",), body=PreferencesUpdate)
def set_preferences(call: Call):
    preferences.update(call.viewer.user, call.body)
    return no_content()


# ---------------------------------------------------------------- subscriptions


@auth_route("/subscriptions")
def list_subscriptions(call: Call):
    return subscriptions.list_all(call.viewer)


@auth_route("/subscriptions/{ucid}", methods=("POST",))
def subscribe(call: Call, ucid: str):
    subscriptions.subscribe(call.viewer, ucid)
    return no_content()


@auth_route("/subscriptions/{ucid}", methods=("DELETE",))
def unsubscribe(call: Call, ucid: str):
    subscriptions.unsubscribe(call.viewer, ucid)
    return no_content()


# ---------------------------------------------------------------- history


@auth_route("/history", query=ResultsPage)
def get_history(call: Call):
    return history.page(call.viewer, call.params)


@auth_route("/history", methods=("DELETE",))
def clear_history(call: Call):
    history.clear(call.viewer)
    return no_content()


@auth_route("/history/{video_id}", methods=("POST",))
def add_history(call: Call, video_id: str):
    history.add(call.viewer, video_id)
    return no_content()


@auth_route("/history/{video_id}", methods=("DELETE",))
def remove_history(call: Call, video_id: str):
    history.remove(call.viewer, video_id)
    return no_content()
