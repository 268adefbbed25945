#!/usr/bin/env bash
# Backup and restore throughput of pgBackRest to a posix and to an S3 repository (s3proxy on this
# machine), and the WAL archive rate under pgbench with synchronous and asynchronous archiving.
# Every figure comes with a floor measured in the same run: copying PGDATA with cp (backup and
# restore) and WAL generated per second (archiving). Run as root from the project directory after
# `mvn verify` (which puts s3proxy into target/it-tools):
#
#   src/test/bench/backup-throughput.sh [pgbench scale, default 70 = about 1 GB]
#
# Everything lives in a fresh directory under /tmp, on 127.0.0.1 with free ports, and is stopped
# and removed at the end, also on failure. Prints one line per figure; see docs/performance.md.
set -euo pipefail

SCALE=${1:-70}
JAR=${S3PROXY_JAR:-$(pwd)/target/it-tools/s3proxy.jar}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
[ -f "$JAR" ] || { echo "s3proxy missing at $JAR: run mvn verify first (or set S3PROXY_JAR)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root (PostgreSQL and pgBackRest run as postgres)" >&2; exit 1; }

W=$(mktemp -d /tmp/backup-throughput.XXXXXX)
chmod 0777 "$W"
S3PID=
cleanup() {
  as_pg "$BIN/pg_ctl" -D "$W/data" -m immediate stop >/dev/null 2>&1 || true
  [ -n "$S3PID" ] && kill "$S3PID" 2>/dev/null && wait "$S3PID" 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
free_port() {
  local p
  while :; do
    p=$(shuf -i 55000-59999 -n 1)
    ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
}
now() { date +%s.%N; }
drain() { # waits until no WAL file waits for archiving
  for _ in $(seq 1 1200); do
    [ "$(ls "$W/data/pg_wal/archive_status" | grep -c '\.ready$' || true)" = 0 ] && return
    sleep 0.5
  done
}
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

PGPORT=$(free_port)
S3PORT=$(free_port)
CONF=$W/pgbackrest.conf
BR=(pgbackrest "--config=$CONF" --stanza=bench --log-level-console=warn)

# PostgreSQL with archiving through pgBackRest to both repositories
as_pg "$BIN/initdb" -D "$W/data" -U postgres -A trust >/dev/null
cat >> "$W/data/postgresql.conf" <<EOF
port = $PGPORT
listen_addresses = ''
unix_socket_directories = '$W'
archive_mode = on
archive_command = 'pgbackrest --config=$CONF --stanza=bench archive-push %p'
max_wal_size = 4GB
EOF

# s3proxy over HTTPS with a certificate of this run
keytool -genkeypair -noprompt -alias s3proxy -keyalg RSA -keysize 2048 -validity 2 -dname CN=127.0.0.1 \
  -ext SAN=ip:127.0.0.1 -storetype PKCS12 -keystore "$W/keystore.p12" -storepass bench-store -keypass bench-store \
  >/dev/null 2>&1
mkdir -p "$W/s3/bench"
cat > "$W/s3proxy.properties" <<EOF
s3proxy.secure-endpoint=https://127.0.0.1:$S3PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench-key
s3proxy.credential=bench-secret
s3proxy.keystore-path=$W/keystore.p12
s3proxy.keystore-password=bench-store
jclouds.provider=filesystem
jclouds.identity=bench-key
jclouds.credential=bench-secret
jclouds.filesystem.basedir=$W/s3
EOF
java -Xmx256m -jar "$JAR" --properties "$W/s3proxy.properties" >"$W/s3proxy.log" 2>&1 &
S3PID=$!
for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$S3PORT") 2>/dev/null && break; sleep 0.2; done

write_conf() { # $1 = archive-async y|n
  cat > "$CONF" <<EOF
[global]
repo1-path=$W/repo
repo1-retention-full=2
repo2-type=s3
repo2-path=/pgbackrest
repo2-s3-bucket=bench
repo2-s3-endpoint=127.0.0.1
repo2-storage-port=$S3PORT
repo2-s3-region=us-east-1
repo2-s3-uri-style=path
repo2-storage-verify-tls=n
repo2-s3-key=bench-key
repo2-s3-key-secret=bench-secret
repo2-retention-full=2
log-path=$W/log
lock-path=$W/lock
spool-path=$W/spool
start-fast=y
archive-async=$1

[bench]
pg1-path=$W/data
pg1-port=$PGPORT
pg1-socket-path=$W
EOF
  chown postgres "$CONF"
}
write_conf n
mkdir -p "$W/repo" "$W/log" "$W/lock" "$W/spool" && chown postgres "$W/repo" "$W/log" "$W/lock" "$W/spool"
as_pg "$BIN/pg_ctl" -D "$W/data" -l "$W/postgres.log" -w -t 120 start >/dev/null
PSQL=("$BIN/psql" -h "$W" -p "$PGPORT" -U postgres -d postgres -tAX)
as_pg "${BR[@]}" stanza-create

as_pg "$BIN/pgbench" -h "$W" -p "$PGPORT" -U postgres -i -s "$SCALE" -q postgres >/dev/null 2>&1
as_pg "${PSQL[@]}" -c "CHECKPOINT" >/dev/null
drain
# what a backup holds: PGDATA without pg_wal (WAL comes from the archive)
BYTES=$(du -sb --exclude=pg_wal "$W/data" | cut -f1)
echo "database_bytes=$BYTES scale=$SCALE"

t0=$(now); cp -a "$W/data" "$W/copy"; sync; t1=$(now)
COPIED=$(du -sb "$W/copy" | cut -f1); rm -rf "$W/copy"
echo "floor_copy_mb_s=$(mbps "$COPIED" "$(secs "$t0" "$t1")") seconds=$(secs "$t0" "$t1") bytes=$COPIED"

for repo in 1 2; do
  t0=$(now); as_pg "${BR[@]}" --repo=$repo --type=full backup; t1=$(now)
  echo "backup_repo${repo}_mb_s=$(mbps "$BYTES" "$(secs "$t0" "$t1")") seconds=$(secs "$t0" "$t1")"
done
for repo in 1 2; do
  mkdir "$W/restore$repo" && chown postgres "$W/restore$repo" && chmod 0700 "$W/restore$repo"
  t0=$(now); as_pg "${BR[@]}" --repo=$repo "--pg1-path=$W/restore$repo" --archive-mode=off restore; sync; t1=$(now)
  echo "restore_repo${repo}_mb_s=$(mbps "$BYTES" "$(secs "$t0" "$t1")") seconds=$(secs "$t0" "$t1")"
  rm -rf "$W/restore$repo"
done

# WAL archive rate under pgbench: 60 s of writes, then what was archived and what waits
for mode in n y; do
  write_conf "$mode"
  as_pg "${PSQL[@]}" -c "SELECT pg_stat_reset_shared('archiver')" >/dev/null
  lsn0=$(as_pg "${PSQL[@]}" -c "SELECT pg_current_wal_lsn()")
  t0=$(now)
  as_pg "$BIN/pgbench" -h "$W" -p "$PGPORT" -U postgres -c 4 -j 2 -T 60 -N postgres >/dev/null 2>&1
  t1=$(now)
  generated=$(as_pg "${PSQL[@]}" -c "SELECT round(pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn0') / 16777216.0, 1)")
  archived=$(as_pg "${PSQL[@]}" -c "SELECT archived_count FROM pg_stat_archiver")
  waiting=$(ls "$W/data/pg_wal/archive_status" | grep -c '\.ready$' || true)
  s=$(secs "$t0" "$t1")
  echo "archive_async=$mode wal_generated_segments_s=$(awk -v g="$generated" -v s="$s" 'BEGIN{printf "%.2f", g/s}')" \
    "archived_segments_s=$(awk -v a="$archived" -v s="$s" 'BEGIN{printf "%.2f", a/s}') waiting_at_end=$waiting"
  drain
done
