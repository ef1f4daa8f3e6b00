#!/usr/bin/env bash
# A private PostgreSQL server for the pg_* tests (and for trying OneMap's server backend):
# initdb into a temp dir, a free port on 127.0.0.1, the Unix socket in that dir, started and
# stopped by its own pid. Never touches a system cluster.
#   eval "$(bash packaging/pg-test-server.sh start)"   # prints export lines; also writes $DIR/env
#   bash packaging/pg-test-server.sh stop
# The state dir is $ONEMAP_PG_DIR (default: $TMPDIR/onemap-pg-test-$UID). After start:
#   ONEMAP_TEST_PG   URL of database "onemap" as the owner role "onemap" (trust auth on loopback)
#   ONEMAP_TEST_PG_SEAT  the same database as the seats' role "onemap_seat" (INSERT/SELECT only)
#   ONEMAP_TEST_PG_DIR   the state dir (data/, log, socket, env)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${ONEMAP_PG_DIR:-${TMPDIR:-/tmp}/onemap-pg-test-$(id -u)}"
pgbin="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  echo "pg-test-server: PostgreSQL server binaries not found (apt-get install postgresql, or set PGBIN)" >&2
  exit 2
fi

# initdb and postgres refuse to run as root: run them as the "postgres" system user then.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if [ -f "$dir/env" ] && as_pg "$pgbin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      cat "$dir/env"
      exit 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    chmod 700 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_pg "$pgbin/initdb" -D "$dir/data" -U onemap --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2; exit 1; }
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
    psql=(psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U onemap)
    "${psql[@]}" -d postgres -c "CREATE DATABASE onemap" >/dev/null
    "${psql[@]}" -d onemap -f "$here/pg-roles.sql" >/dev/null
    # As in a centre: the owner role of the roles script owns the database and runs `db init`.
    "${psql[@]}" -d postgres -c "ALTER DATABASE onemap OWNER TO onemap_owner" >/dev/null
    {
      echo "export ONEMAP_TEST_PG=postgres://onemap_owner@127.0.0.1:$port/onemap"
      echo "export ONEMAP_TEST_PG_SEAT=postgres://onemap_seat@127.0.0.1:$port/onemap"
      echo "export ONEMAP_TEST_PG_SUPER=postgres://onemap@127.0.0.1:$port/postgres"
      echo "export ONEMAP_TEST_PG_DIR=$dir"
      echo "export ONEMAP_TEST_PG_BIN=$pgbin"
    } >"$dir/env"
    chmod 644 "$dir/env"
    cat "$dir/env"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_pg "$pgbin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  restart)
    # For the tests: a server restart while seats are connected.
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -m fast -w restart >/dev/null
    ;;
  *)
    echo "usage: $0 start|stop|restart" >&2
    exit 2
    ;;
esac
