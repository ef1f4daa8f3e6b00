#!/usr/bin/env bash
# Opens the real console window under Xvfb on the bundled pack, lets it draw for a few seconds,
# and fails if it exited early (crash, missing library, bad pack). Optionally saves a screenshot:
#   bash packaging/smoke.sh assets/screenshots/console.png
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --bin onemap
shot="${1:-}"
export XDG_DATA_HOME="$(mktemp -d)" XDG_CACHE_HOME="$(mktemp -d)"   # fresh settings, like a first run
log=$(mktemp)
xvfb-run -a -s "-screen 0 1440x900x24" bash -c '
  ./target/debug/onemap >"$1" 2>&1 &
  pid=$!
  sleep 8
  if ! kill -0 $pid 2>/dev/null; then echo "console exited early:"; cat "$1"; exit 1; fi
  if [ -n "$2" ] && command -v import >/dev/null; then import -window root "$2"; fi
  kill $pid; wait $pid 2>/dev/null || true
' _ "$log" "$shot"
echo "console ran under Xvfb"
