#!/usr/bin/env bash
# Runs every test (unit, integration, UI through egui_kittest, CLI) exactly as CI does.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/deps.sh runtime
exec cargo test --locked --all-targets "$@"
