#!/usr/bin/env bash
# Fuzz every reader of outside input (fuzz/fuzz_targets/) with cargo-fuzz on the STABLE
# toolchain: no sanitizer (`-s none`), a dev build with overflow checks and debug assertions.
#   bash packaging/fuzz.sh [SECONDS_PER_TARGET] [TARGET…]     (default: 300 s, every target)
# CI runs `bash packaging/fuzz.sh 5`. Seeds come from tests/data and the Xishuangbanna pack; the
# growing corpus stays in fuzz/corpus/ (git-ignored). A crash, a hang (> 10 s per input) or an
# input needing more than 2 GB fails the script and leaves the input in fuzz/artifacts/TARGET/;
# reproduce with `cd fuzz && cargo fuzz run -s none --dev TARGET artifacts/TARGET/<file>` and
# turn it into a regression test beside the reader.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
secs=${1:-300}
shift || true
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# One target folder for everything (the fuzz build lands in target/x86_64-unknown-linux-gnu/).
export CARGO_TARGET_DIR="$root/target"
mapfile -t all < <(cd fuzz && cargo fuzz list)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

seed() { # seed TARGET FILE… : copy seeds into the target's corpus (once)
  local dir="$root/fuzz/corpus/$1"; shift
  mkdir -p "$dir"
  for f in "$@"; do [ -f "$f" ] && cp -n "$f" "$dir/" || true; done
}
a=tests/data/alerts
seed alerts_document "$a"/*
seed cap "$a"/*.cap
seed feed "$a"/*.atom "$a"/*.rss
seed quake "$a"/*.geojson "$a"/*.json
seed scenario maps/xishuangbanna/drills/*.toml
seed plans maps/xishuangbanna/plans.toml
seed schematic maps/xishuangbanna/schematic_roads.json
seed geojson maps/xishuangbanna/places.geojson maps/xishuangbanna/townships.geojson maps/xishuangbanna/manifest.json
seed roads_graph maps/samples/andorra/roads.graph
seed osm_pbf tests/data/osm/bayfront_singapore.osm.pbf tests/data/osm/fuzz-*.osm.pbf   # fuzz-*: inputs that once crashed
# csv_import: the first byte picks the file name (index into NAMES in csv_import.rs).
mkdir -p fuzz/corpus/csv_import
i=0
for t in units stations warehouses stock shelters; do
  f=maps/xishuangbanna/demo/$t.csv
  out=fuzz/corpus/csv_import/demo-$t
  [ -f "$out" ] || { printf "\\$(printf '%03o' $i)" > "$out"; cat "$f" >> "$out"; }
  i=$((i + 1))
done
# event_fold: the demo's event log as JSON lines, when the debug binary exists.
if [ -x target/debug/onemap ] && [ ! -f fuzz/corpus/event_fold/demo.jsonl ]; then
  mkdir -p fuzz/corpus/event_fold
  tmp=$(mktemp -d)
  target/debug/onemap demo load --db "$tmp/demo.db" >/dev/null
  target/debug/onemap events --db "$tmp/demo.db" > fuzz/corpus/event_fold/demo.jsonl
  rm -rf "$tmp"
fi

cd fuzz
cargo fuzz build -s none --dev
failed=()
for t in "${targets[@]}"; do
  echo "=== fuzz $t for $secs s"
  mkdir -p "corpus/$t"
  if ! cargo fuzz run -s none --dev "$t" "corpus/$t" -- \
      -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=1048576 -print_final_stats=1 2>"$root/target/fuzz-$t.log"; then
    tail -n 30 "$root/target/fuzz-$t.log"
    failed+=("$t")
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$root/target/fuzz-$t.log" | tr '\n' ' '; echo
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets clean for $secs s each"
