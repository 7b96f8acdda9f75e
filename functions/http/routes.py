"""Every route module of both APIs; app.py registers their blueprints."""

from functions.http import docs, signed_media, webapp
from functions.http.invidious import login, public, resources, tokens
from functions.http.ta import (
    appsettings,
    channel,
    comment,
    cookie,
    download,
    media,
    playlist,
    proxy,
    refresh,
    search,
    session,
    snapshot,
    sponsor,
    stats,
    task,
    users,
    video,
)
from functions.http.ta5 import aggs, nav, user
from functions.http.ta5 import appsettings as appsettings5
from functions.http.ta5 import backup as backup5
from functions.http.ta5 import membership as membership5
from functions.http.ta5 import notification as notification5
from functions.http.ta5 import playlist as playlist5
from functions.http.ta5 import schedule as schedule5
from functions.http.ta5 import task as task5

ROUTERS = (
    video.router,
    channel.router,
    playlist.router,
    session.router,
    media.router,
    signed_media.router,
    resources.router,
    public.router,
    tokens.router,
    login.router,
    docs.router,
    comment.router,
    download.router,
    sponsor.router,
    snapshot.router,
    task.router,
    refresh.router,
    cookie.router,
    proxy.router,
    search.router,
    appsettings.router,
    user.router,
    appsettings5.router,
    backup5.router,
    nav.router,
    playlist5.router,
    task5.router,
    notification5.router,
    membership5.router,
    schedule5.router,
    aggs.router,
    stats.router,
    users.router,
    webapp.router,
)
