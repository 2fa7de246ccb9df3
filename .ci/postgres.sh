#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 on 127.0.0.1 and prints its DATABASE_URL.
# Usage: eval "$(bash .ci/postgres.sh start DIR)"   then   bash .ci/postgres.sh stop DIR
#        bash .ci/postgres.sh halt DIR / resume DIR: stops the server and starts it again on the same
#        data and port (the resilience tests cut the database mid-meeting this way).
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?start or stop}
dir=${2:?data folder}
user=so_pg

as_user() { if [ "$(id -u)" = 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi; }

case "$cmd" in
  start)
    [ -x "$PGBIN/initdb" ] || { echo "PostgreSQL 15 is missing in $PGBIN (apt-get install postgresql-15)" >&2; exit 1; }
    if [ "$(id -u)" = 0 ] && ! id "$user" >/dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
    fi
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown "$user" "$dir"
    as_user "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "port = $port"
      echo "unix_socket_directories = ''"
      echo "max_connections = 300"
      echo "fsync = off"
      echo "synchronous_commit = off"
      echo "full_page_writes = off"
    } >>"$dir/data/postgresql.conf"
    as_user "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  halt)
    as_user "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  resume)
    as_user "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then as_user "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
