"""YouTube: what users paste (URLs, ids) and the yt-dlp adapter."""
