#!/usr/bin/env bash
# Runs every test (unit, integration, UI through egui_kittest, CLI) exactly as CI does.
# When the PostgreSQL server binaries are installed (Debian package postgresql), a private
# server is started for the pg_* tests (packaging/pg-test-server.sh) and stopped at exit; its
# URLs reach the tests as ONEMAP_TEST_PG*. Without it the pg_* tests say they were skipped, and
# fail under CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/deps.sh runtime
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || [ -n "${PGBIN:-}" ]; then
  export ONEMAP_PG_DIR="${ONEMAP_PG_DIR:-$(mktemp -d -u "${TMPDIR:-/tmp}/onemap-pg-test.XXXXXX")}"
  trap 'bash packaging/pg-test-server.sh stop' EXIT
  eval "$(bash packaging/pg-test-server.sh start)"
  echo "PostgreSQL test server: $ONEMAP_TEST_PG" >&2
fi
cargo test --locked --all-targets "$@"
