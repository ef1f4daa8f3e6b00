#!/usr/bin/env bash
# Opens the real console window under Xvfb on the bundled pack, lets it draw for a few seconds,
# and fails if it exited early (crash, missing library, bad pack) or, when xwininfo is present,
# if the window's X11 class is not the desktop id (the taskbar matches windows to menu entries
# by it). Optionally saves a screenshot:
#   bash packaging/smoke.sh assets/screenshots/console.png
#   ONEMAP_BIN=/path/to/onemap bash packaging/smoke.sh   # an installed binary, run from an
#                                                        # unrelated directory (no cargo build)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${ONEMAP_BIN:-}" ]; then
  bin=$ONEMAP_BIN workdir=$(mktemp -d)
else
  cargo build --locked --bin onemap
  bin=./target/debug/onemap workdir=.
fi
shot="${1:-}"
[ -z "$shot" ] || shot=$(realpath -m "$shot")
export XDG_DATA_HOME="$(mktemp -d)" XDG_CACHE_HOME="$(mktemp -d)"   # fresh settings, like a first run
log=$(mktemp)
cd "$workdir"
xvfb-run -a -s "-screen 0 1440x900x24" bash -c '
  "$3" >"$1" 2>&1 &
  pid=$!
  sleep 8
  if ! kill -0 $pid 2>/dev/null; then echo "console exited early:"; cat "$1"; exit 1; fi
  if command -v xwininfo >/dev/null; then
    class=$(xwininfo -root -tree | grep -o "(\"[^\"]*\" \"cn.gov.xsbn.OneMap\")" | head -1)
    if [ -z "$class" ]; then echo "no window of class cn.gov.xsbn.OneMap:"; xwininfo -root -tree; exit 1; fi
    echo "window class: $class"
  fi
  if [ -n "$2" ] && command -v import >/dev/null; then import -window root "$2"; fi
  kill $pid; wait $pid 2>/dev/null || true
' _ "$log" "$shot" "$bin"
echo "console ran under Xvfb"
