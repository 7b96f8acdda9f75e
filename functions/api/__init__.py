"""The API's endpoint groups, one module each."""

from functions.api import channel, media, playlist, session, video

ROUTERS = (video.router, channel.router, playlist.router, session.router, media.router)
