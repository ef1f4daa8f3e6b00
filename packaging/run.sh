#!/usr/bin/env bash
# Opens the OneMap console on the bundled Xishuangbanna map pack (fully offline).
# Extra arguments go to onemap, e.g.  bash packaging/run.sh --pack maps/samples/liechtenstein
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/deps.sh runtime
exec cargo run --locked --bin onemap -- "$@"
