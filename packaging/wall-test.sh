#!/usr/bin/env bash
# The commander's wall under Xvfb: `onemap --wall` on the demo database renders (a screenshot
# that is not blank) and follows an incident that a second process records, within 2 s.
# Optionally keeps the screenshot (scaled to 1920 wide, JPEG) for the README:
#   bash packaging/wall-test.sh assets/screenshots/wall.jpg
#   WALL_SCREEN=3840x2160 WALL_PAGE=map bash packaging/wall-test.sh shot.jpg
# WALL_PG=1 runs the same check with the database on a private PostgreSQL server
# (packaging/pg-test-server.sh; `onemap --wall --db postgres://…` wakes on LISTEN/NOTIFY).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --bin onemap
bin=$(realpath ./target/debug/onemap)
shot="${1:-}"
[ -z "$shot" ] || shot=$(realpath -m "$shot")
work=$(mktemp -d)
if [ "${WALL_PG:-}" = 1 ]; then
  export ONEMAP_PG_DIR="${TMPDIR:-/tmp}/onemap-pg-wall-$$"
  eval "$(bash packaging/pg-test-server.sh start)"
  trap 'bash packaging/pg-test-server.sh stop >/dev/null; rm -rf "$work" "$ONEMAP_PG_DIR"' EXIT
  "$bin" db init --db "$ONEMAP_TEST_PG" >/dev/null
  db="$ONEMAP_TEST_PG_SEAT" kind=PostgreSQL
  "$bin" demo load --db "$ONEMAP_TEST_PG" --pack maps/xishuangbanna >/dev/null
else
  trap 'rm -rf "$work"' EXIT
  db="$work/centre.sqlite" kind="SQLite file"
  "$bin" db init --db "$db" >/dev/null
  "$bin" demo load --db "$db" --pack maps/xishuangbanna >/dev/null
fi
"$bin" incident new --db "$db" --pack maps/xishuangbanna --class natural --type flood --severity 2 --at 景洪 >/dev/null
export XDG_DATA_HOME="$work/data" XDG_CACHE_HOME="$work/cache" ONEMAP_WALL_TRACE=1
xvfb-run -a -s "-screen 0 ${WALL_SCREEN:-1920x1080}x24" bash -c '
  set -euo pipefail
  bin=$1 db=$2 log=$3 shot=$4 page=$5
  "$bin" --wall --db "$db" --pack maps/xishuangbanna --page "$page" >"$log" 2>&1 &
  pid=$!
  # The first situation (coverage and routes are computed once at start).
  for _ in $(seq 600); do grep -q "wall: shows seq" "$log" && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  if ! grep -q "wall: shows seq" "$log"; then echo "the wall showed nothing:"; cat "$log"; kill $pid 2>/dev/null; exit 1; fi
  # A second process records an incident: the wall must show it within 2 s.
  seq=$("$bin" incident new --db "$db" --pack maps/xishuangbanna --class accident --type road_traffic --severity 3 --at 勐海 --json | sed -n "s/.*\"seq\":\([0-9]*\).*/\1/p")
  t0=$(date +%s%N)
  seen=""
  while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 2000 ]; do
    if grep -q "wall: shows seq $seq " "$log"; then seen=$(( ($(date +%s%N) - t0) / 1000000 )); break; fi
    sleep 0.05
  done
  if [ -z "$seen" ]; then echo "seq $seq not shown within 2 s:"; cat "$log"; kill $pid; exit 1; fi
  echo "wall showed seq $seq ${seen} ms after it was recorded"
  sleep 2
  raw=$(dirname "$log")/raw.png
  import -window root "$raw"
  sd=$(convert "$raw" -colorspace Gray -format "%[fx:standard_deviation]" info:)
  if awk -v s="$sd" "BEGIN { exit !(s < 0.02) }"; then echo "the screenshot is blank (sd $sd)"; kill $pid; exit 1; fi
  echo "rendered (grey-level sd $sd)"
  if [ -n "$shot" ]; then convert "$raw" -resize 1920x -quality 72 "$shot"; ls -l "$shot"; fi
  kill $pid; wait $pid 2>/dev/null || true
' _ "$bin" "$db" "$work/wall.log" "$shot" "${WALL_PAGE:-kpi}"
echo "wall ran under Xvfb and followed a second process (database: $kind)"
