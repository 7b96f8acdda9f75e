"""The archive itself: videos, channels, playlists, what a download adds, users' progress."""
