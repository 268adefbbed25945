#!/bin/sh
# The floor of the container benchmark (docs/performance.md): the least an entrypoint can do on the
# same image without pg-entrypoint. On an empty PGDATA, initdb with POSTGRES_PASSWORD (SCRAM over
# TCP, trust on the socket, as the official image), then exec postgres listening on every address.
set -eu
if [ "${1:-}" = postgres ]; then
  shift
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" -U postgres --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
fi
exec postgres -c listen_addresses='*' "$@"
