#!/usr/bin/env bash
# The console and the real X11 clipboard, under Xvfb: a text put on the system clipboard by
# another program (xclip) is pasted into the search field with Ctrl+V, and the field's text copied
# with Ctrl+A, Ctrl+C reaches the system clipboard again. Proves both directions (eframe's
# `clipboard` feature; without it Ctrl+V pastes nothing and copying never leaves the program).
#   bash packaging/clipboard-test.sh        # CI runs it after the smoke test
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --bin onemap
for tool in xvfb-run xdotool xclip; do
  command -v "$tool" >/dev/null || { echo "clipboard test needs $tool (bash packaging/deps.sh ci)" >&2; exit 1; }
done
export XDG_DATA_HOME="$(mktemp -d)" XDG_CACHE_HOME="$(mktemp -d)"   # fresh settings: default layout
db="$(mktemp -d)/clip.db"
xvfb-run -a -s "-screen 0 1600x1000x24" bash -c '
  ./target/debug/onemap --db "$1" >/dev/null 2>&1 &
  pid=$!
  sleep 8
  kill -0 $pid 2>/dev/null || { echo "console exited early"; exit 1; }
  printf "勐腊" | xclip -selection clipboard
  sleep 0.5
  # No window manager under Xvfb: give the window the keyboard focus explicitly.
  wid=$(xdotool search --class cn.gov.xsbn.OneMap | head -1)
  [ -n "$wid" ] || { echo "no window of class cn.gov.xsbn.OneMap"; exit 1; }
  xdotool windowfocus "$wid" 2>/dev/null || true
  # Ctrl+F focuses the search field wherever the layout puts it (the top bar may wrap to two
  # rows with a long pack title).
  xdotool mousemove 700 500
  xdotool key ctrl+f
  sleep 1
  xdotool type --delay 80 "ab"
  xdotool key ctrl+v
  sleep 1
  xdotool key ctrl+a
  sleep 0.5
  xdotool key ctrl+c
  sleep 1
  [ -z "${CLIP_SHOT:-}" ] || import -window root "$CLIP_SHOT"
  got=$(xclip -selection clipboard -o 2>/dev/null || true)
  kill $pid; wait $pid 2>/dev/null || true
  if [ "$got" != "ab勐腊" ]; then
    echo "clipboard round trip failed: expected \"ab勐腊\" on the system clipboard, got \"$got\""
    exit 1
  fi
  echo "clipboard: pasted from and copied to the X11 clipboard (\"$got\")"
' _ "$db"
