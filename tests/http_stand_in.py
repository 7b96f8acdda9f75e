"""A stand-in for a remote HTTP service (SponsorBlock, the members platform): a loopback server running a
request handler, with the setting that names the service pointed at it for the test."""

import contextlib
import threading
from http.server import ThreadingHTTPServer

from functions.core.settings import get_settings


@contextlib.contextmanager
def serving(handler, monkeypatch, env: str):
    """`handler` on a free loopback port while the block runs, `env` (e.g. SPONSORBLOCK_URL) naming it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv(env, f"http://127.0.0.1:{server.server_port}/")
    get_settings.cache_clear()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        monkeypatch.undo()
        get_settings.cache_clear()
