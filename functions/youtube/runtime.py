"""The tools yt-dlp runs with, found without searching PATH: the layer's binaries under /opt/bin (named by an
environment variable), else the ones their PyPI packages ship. deno solves YouTube's JavaScript challenges with
yt-dlp-ejs's scripts; no solver script is ever fetched from the network (`remote_components` stays empty)."""

import importlib
import os
from collections.abc import Callable


def binary_location(variable: str, package_binary: Callable[[], str]) -> str | None:
    """The binary the environment `variable` names (the layer's, under /opt/bin), else the one its PyPI package
    ships (`package_binary`), else None: PATH is never searched."""
    if os.environ.get(variable):
        return os.environ[variable]
    try:
        return package_binary()
    except (ImportError, FileNotFoundError, RuntimeError):  # not installed, or without its binary
        return None


def deno_location() -> str | None:
    """The deno yt-dlp solves YouTube's JavaScript challenges with: the layer's (DENO_EXE) or the deno package's."""
    return binary_location("DENO_EXE", lambda: importlib.import_module("deno").find_deno_bin())


def runtime_params() -> dict:
    """yt-dlp parameters of every session: the JavaScript runtime by its path (none: yt-dlp may not look for one
    on PATH), and no remote solver scripts."""
    deno = deno_location()
    return {"js_runtimes": {"deno": {"path": deno}} if deno else {}, "remote_components": []}
