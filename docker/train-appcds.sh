#!/usr/bin/env bash
# Image build step: makes the AppCDS archive (the classes a real run loads, pre-parsed) that the
# launcher uses when lib/pg-entrypoint.jsa exists. The training run is a first start as the
# postgres user on a throw-away PGDATA: validation, initdb, configuration, a created database, one
# .sql and one .sh init script, PostgreSQL started and supervised, the management endpoint asked
# for metrics and health, then the SIGTERM shutdown. PostgreSQL listens on its socket only and the
# management endpoint on 127.0.0.1 and a random high port, so the build's network is left alone.
#   train-appcds.sh ARCHIVE        (run as root)
set -euo pipefail

archive="$1"
home="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
# an archive made by another JVM (the package's) would be mapped by the launcher and break the run
rm -f "$archive" "$archive.home"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/initdb.d"
echo 'CREATE TABLE training (id int);' >"$work/initdb.d/10-training.sql"
echo 'echo "training script ran"' >"$work/initdb.d/20-training.sh"
chown -R postgres:postgres "$work"
management_port=$((20000 + RANDOM % 20000))

env -i PATH="$PATH" LANG="${LANG:-C.UTF-8}" JAVA_HOME="${JAVA_HOME:-}" \
  PGDATA="$work/data" PG_SOCKET_DIR="$work/run" PGPORT=5432 \
  STATE_FILE="$work/state.json" LOCK_FILE="$work/entrypoint.lock" INITDB_SCRIPTS_DIR="$work/initdb.d" \
  POSTGRES_PASSWORD=training POSTGRES_DB=training MANAGEMENT_BIND=127.0.0.1 MANAGEMENT_PORT="$management_port" \
  JAVA_OPTS="-XX:ArchiveClassesAtExit=$work/archive.jsa" \
  setpriv --reuid=postgres --regid=postgres --init-groups \
  "$home/bin/pg-entrypoint" postgres -c listen_addresses= >"$work/training.log" 2>&1 &
pid=$!

running=false
for _ in $(seq 1 120); do
  if grep -q '"state":"RUNNING"' "$work/state.json" 2>/dev/null; then
    running=true
    break
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
get() { # an HTTP GET with bash alone: the image has no HTTP client
  exec 3<>"/dev/tcp/127.0.0.1/$management_port" || return 0
  printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$1" >&3
  timeout 10 cat <&3 >/dev/null || true
  exec 3<&-
}
if [ "$running" = true ]; then
  for path in /observe/metrics /observe/health /observe/health/ready /observe/health/live; do get "$path"; done
fi
# a background job ignores SIGINT: stop with SIGTERM, the same shutdown
kill -TERM "$pid" 2>/dev/null || true
rc=0
wait "$pid" || rc=$?
if [ "$running" != true ] || [ "$rc" -ne 0 ] || [ ! -s "$work/archive.jsa" ]; then
  echo "AppCDS training run failed (running=$running exit=$rc):" >&2
  cat "$work/training.log" >&2
  exit 1
fi
install -m 0644 "$work/archive.jsa" "$archive"
# the directory the archive was made for: the launcher maps it only there (a copy makes its own)
echo "$home" >"$archive.home"
chmod 0644 "$archive.home"
echo "AppCDS archive $archive: $(du -h "$archive" | cut -f1)"
