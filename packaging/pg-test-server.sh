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
#   ONEMAP_TEST_PG_CA    (when openssl is installed) the test CA that signed the server's
#                        certificate (CN and SAN 127.0.0.1 only, not "localhost"): TLS is on
#   ONEMAP_TEST_PG_OTHER_CA  an unrelated CA (a client trusting only it must refuse the server)
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
    tls_opts=""
    if command -v openssl >/dev/null 2>&1; then
      # A private test CA, the server's certificate signed by it, and an unrelated CA.
      ( cd "$dir"
        for ca in ca other-ca; do
          openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=OneMap test $ca" \
            -keyout "$ca.key" -out "$ca.crt" >/dev/null 2>&1
        done
        openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr >/dev/null 2>&1
        printf 'subjectAltName=IP:127.0.0.1\n' >server.ext
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
          -extfile server.ext -out server.crt >/dev/null 2>&1
        chmod 600 server.key ca.key other-ca.key
        chmod 644 ca.crt other-ca.crt server.crt )
      [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"/server.key "$dir"/server.crt
      tls_opts="-c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key"
    else
      echo "pg-test-server: openssl not installed: the server takes no TLS (pg_tls tests skip)" >&2
    fi
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 $tls_opts" start >/dev/null
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
      if [ -n "$tls_opts" ]; then
        echo "export ONEMAP_TEST_PG_CA=$dir/ca.crt"
        echo "export ONEMAP_TEST_PG_OTHER_CA=$dir/other-ca.crt"
      fi
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
