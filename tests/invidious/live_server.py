"""The app on a real HTTP server (chalice local, in a thread, in this process, so moto's mock_aws covers it),
and a tiny callback server that records what it receives."""

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import ROOT

HOST = "127.0.0.1"


@contextmanager
def serve_app():
    """The app's base URL, served by chalice's local server on a free loopback port; call inside `aws`."""
    from chalice.cli.factory import CLIFactory
    from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, LocalDevServer

    from app import app

    config = CLIFactory(project_dir=str(ROOT)).create_config_obj(chalice_stage_name="local")
    if not isinstance(app, CustomLocalChalice):  # what create_local_server does, once: again would make a class cycle
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    # TCP_NODELAY, as infra/local.py serves it: Nagle's algorithm held each answer's body back until the client's
    # delayed ACK, about 40 ms a request (the fuzzing sends thousands).
    handler = type("ApiHandler", (ChaliceRequestHandler,), {"disable_nagle_algorithm": True})
    server = LocalDevServer(app, config, HOST, 0, handler_cls=handler).server  # port 0: the system picks a free one
    thread = threading.Thread(target=server.serve_forever, name="chalice-local", daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class CallbackServer:
    """Answers every GET with a small page and keeps the request paths it saw."""

    def __init__(self):
        self.paths: list[str] = []
        self.received = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.paths.append(self.path)
                outer.received.set()
                body = b"<!doctype html><title>callback</title><p>token received</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.url = f"http://{HOST}:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, name="callback", daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
