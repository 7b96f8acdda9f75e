"""The API's endpoint groups, one module each."""

from functions.api import (
    channel,
    comment,
    cookie,
    docs,
    download,
    invidious,
    invidious_tokens,
    media,
    playlist,
    refresh,
    session,
    snapshot,
    sponsor,
    task,
    video,
    web,
)

ROUTERS = (
    video.router,
    channel.router,
    playlist.router,
    session.router,
    media.router,
    invidious.router,
    invidious_tokens.router,
    web.router,
    docs.router,
    comment.router,
    download.router,
    sponsor.router,
    snapshot.router,
    task.router,
    refresh.router,
    cookie.router,
)
