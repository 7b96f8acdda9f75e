#!/bin/sh
# The npm packages the player test loads in Chromium (tests/invidious/test_player.py), installed from the npm
# registry into build/npm (not committed). Versions are pinned here.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PREFIX="$ROOT/build/npm"
SHAKA=5.2.12  # the shaka-player Materialious ships (5.2)
if [ -f "$PREFIX/node_modules/shaka-player/package.json" ] && grep -q "\"version\": \"$SHAKA\"" "$PREFIX/node_modules/shaka-player/package.json"; then
    exit 0
fi
mkdir -p "$PREFIX"
npm install --no-audit --no-fund --no-save --prefix "$PREFIX" "shaka-player@$SHAKA"
