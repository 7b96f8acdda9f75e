#!/bin/sh
# Makes Debian's Chromium available to tests/invidious/test_browser.py, which drives /usr/bin/chromium with
# Playwright (Playwright's own browser download is not reachable offline; its pip wheel brings only the driver),
# and the npm packages of the player test (tests/player_packages.sh).
# `make test` (and so .ci/run) runs this first. Root installs with apt-get; anyone else gets a note, and the
# browser test then skips, except under CI=true, where it fails.
set -eu

sh "$(dirname "$0")/player_packages.sh" || echo "setup_browser.sh: npm could not install the player packages" >&2
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    apt-get update
    apt-get install -y chromium
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n apt-get update
    sudo -n apt-get install -y chromium
else
    echo "setup_browser.sh: /usr/bin/chromium is missing and installing it needs root:" >&2
    echo "    apt-get update && apt-get install -y chromium" >&2
    echo "the browser test will be skipped (outside CI) until then" >&2
fi
