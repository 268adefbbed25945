#!/usr/bin/env bash
# Builds the container image and tries it for real; every step prints PASS, FAIL or SKIP.
#
#   docker/test-image.sh
#
# Works with podman or docker. Where no image registry is reachable, a Debian base image is made
# locally with debootstrap (docker/build-base-image.sh, needs root) and passed as BASE_IMAGE.
# Environment:
#   ENGINE          podman or docker (default: podman if installed, else docker)
#   BASE_IMAGE      base image to build on (default: debian:bookworm-slim if present or pullable,
#                   else a local debootstrap image)
#   BASE_CACHE_DIR  where the debootstrap root file system is kept between runs
#                   (default: ${XDG_CACHE_HOME:-$HOME/.cache}/pg-entrypoint)
#   IMAGE           tag of the image under test (default: localhost/pg-entrypoint:test)
#   SKIP_PACKAGE=1  use target/pg-entrypoint as it is instead of running mvn package first
# Containers publish ports on 127.0.0.1 only; everything the test creates is removed at the end.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

engine="${ENGINE:-$(command -v podman >/dev/null 2>&1 && echo podman || echo docker)}"
image="${IMAGE:-localhost/pg-entrypoint:test}"
plain_image="${image%:*}-plain:${image##*:}"
export BASE_CACHE_DIR="${BASE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pg-entrypoint}"
password="image-test-secret"
shutdown_timeout=30
stop_timeout=$((shutdown_timeout + 20)) # the entrypoint's watchdog ends it by then
tag="pge-test-$$"
work="$(mktemp -d)"
containers=()
volumes=()
failures=0
started_at=$(date +%s)

cleanup() {
  for c in "${containers[@]}"; do "$engine" rm -f -v "$c" >/dev/null 2>&1; done
  for v in "${volumes[@]}"; do "$engine" volume rm -f "$v" >/dev/null 2>&1; done
  rm -rf "$work"
}
trap cleanup EXIT

# Some sandboxes (and CI machines) cannot use crun on their cgroup setup nor raise resource limits:
# podman then needs runc and fixed ulimits. These settings belong to the machine, not to the
# image, so they live here, in a containers.conf of this run only.
if [ "$engine" = podman ] && [ -z "${CONTAINERS_CONF:-}" ]; then
  {
    echo '[containers]'
    echo 'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]'
    if command -v runc >/dev/null 2>&1; then
      echo '[engine]'
      echo 'runtime = "runc"'
    fi
  } >"$work/containers.conf"
  export CONTAINERS_CONF="$work/containers.conf"
fi

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
skip() { echo "SKIP $*"; }
info() { echo "INFO $*"; }
check() { # check "description" command...
  local what="$1"; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
now() { date +%s.%N; }
since() { echo "$(now) $1" | awk '{printf "%.1f", $1 - $2}'; }
megabytes() { "$engine" image inspect --format '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1 / 1000000}'; }

# Runs a container detached with a name of this test; prints nothing, returns the engine's status.
start() { # start NAME [run options and arguments...]
  local name="$tag-$1"; shift
  containers+=("$name")
  # (podman without systemd says on stderr that it cannot schedule health checks: they run on request)
  "$engine" run -d --name "$name" "$@" >/dev/null 2>"$work/run-$name.err" || { cat "$work/run-$name.err"; return 1; }
}
logs() { "$engine" logs "$tag-$1" 2>&1; }
# (whole logs first: grep -q ending the pipe early would fail it under pipefail)
log_has() { logs "$1" >"$work/log-$1"; grep -qF -- "$2" "$work/log-$1"; }
show_logs() { echo "---- last lines of $1"; logs "$1" | tail -n 40; echo "----"; }
running() { [ "$("$engine" inspect --format '{{.State.Running}}' "$tag-$1" 2>/dev/null)" = true ]; }
host_port() { "$engine" port "$tag-$1" "$2" | head -n 1 | sed 's/.*://'; }

# The image's own HEALTHCHECK: podman runs it on request; with docker, the status the engine keeps,
# or the image's HEALTHCHECK command run now (engines without a health scheduler).
healthy_now() {
  if [ "$engine" = podman ]; then
    "$engine" healthcheck run "$tag-$1" >/dev/null 2>&1
    return
  fi
  [ "$("$engine" inspect --format '{{.State.Health.Status}}' "$tag-$1" 2>/dev/null)" = healthy ] && return 0
  local test=()
  mapfile -t test < <("$engine" image inspect --format '{{join .Config.Healthcheck.Test "\n"}}' "$image")
  case "${test[0]:-}" in
    CMD) "$engine" exec "$tag-$1" "${test[@]:1}" >/dev/null 2>&1 ;;
    CMD-SHELL) "$engine" exec "$tag-$1" sh -c "${test[1]}" >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}
wait_healthy() { # wait_healthy NAME SECONDS
  local deadline=$(($(date +%s) + $2))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    healthy_now "$1" && return 0
    running "$1" || return 1
    sleep 1
  done
  return 1
}
wait_log() { # wait_log NAME TEXT SECONDS
  local deadline=$(($(date +%s) + $3))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    log_has "$1" "$2" && return 0
    sleep 0.5
  done
  return 1
}
# Health checks every 2 s where the engine schedules them (docker); the command stays the image's.
health_opts=()
[ "$engine" = docker ] && health_opts=(--health-interval=2s)

# psql from the host, or from the image on the host network when the host has none.
host_psql() { # host_psql PORT PASSWORD SQL
  if command -v psql >/dev/null 2>&1; then
    PGPASSWORD="$2" PGCONNECT_TIMEOUT=5 psql -X -w -h 127.0.0.1 -p "$1" -U postgres -d postgres -Atc "$3" 2>&1
  else
    "$engine" run --rm --network host -e PGPASSWORD="$2" -e PGCONNECT_TIMEOUT=5 --entrypoint psql "$image" \
      -X -w -h 127.0.0.1 -p "$1" -U postgres -d postgres -Atc "$3" 2>&1
  fi
}
in_container() { "$engine" exec "$tag-$1" bash -c "$2" 2>&1; }

echo "image test with $engine; image $image"

# ---- 1. build ----------------------------------------------------------------------------------
base="${BASE_IMAGE:-}"
if [ -z "$base" ]; then
  if "$engine" image inspect debian:bookworm-slim >/dev/null 2>&1 \
    || timeout 60 "$engine" pull -q docker.io/library/debian:bookworm-slim >/dev/null 2>&1; then
    base=debian:bookworm-slim
  else
    base=localhost/pg-entrypoint-base:bookworm-slim
    info "no image registry reachable: local base image $base (debootstrap when missing, cache $BASE_CACHE_DIR)"
    t=$(now)
    if ! ENGINE="$engine" docker/build-base-image.sh "$base"; then
      fail "1. build: the local base image could not be made"
      exit 1
    fi
    info "base image ready in $(since "$t") s"
  fi
fi
if [ "${SKIP_PACKAGE:-}" != 1 ]; then
  mvn -B -q package -DskipTests >"$work/package.log" 2>&1 || { cat "$work/package.log"; fail "1. build: mvn package"; exit 1; }
fi
# the images this tag named before; replaced ones are removed after the build, so that repeated
# runs on one machine do not pile up untagged images
old_ids="$("$engine" image inspect --format '{{.Id}}' "$image" "$plain_image" 2>/dev/null || true)"
build_opts=(--network host --build-arg "BASE_IMAGE=$base" -f docker/Dockerfile)
[ "$engine" = podman ] && build_opts+=(--format docker) # OCI images drop HEALTHCHECK
t=$(now)
if "$engine" build "${build_opts[@]}" -t "$image" . >"$work/build.log" 2>&1; then
  build_seconds=$(since "$t")
  pass "1. build succeeds ($build_seconds s, base $base)"
else
  tail -n 40 "$work/build.log"
  fail "1. build succeeds"
  exit 1
fi
grep -E "AppCDS archive" "$work/build.log" | sed 's/^/INFO /'
config="$("$engine" image inspect --format \
  'healthcheck={{if .Config.Healthcheck}}{{join .Config.Healthcheck.Test " "}}{{end}} stopsignal={{.Config.StopSignal}} user={{.Config.User}}' "$image")"
if [ "$config" = "healthcheck=CMD /opt/pg-entrypoint/bin/pg-entrypoint-probe stopsignal=SIGINT user=999:999" ]; then
  pass "1. image declares HEALTHCHECK, STOPSIGNAL SIGINT and user 999"
else
  fail "1. image declares HEALTHCHECK, STOPSIGNAL SIGINT and user 999 (got: $config)"
fi
"$engine" build "${build_opts[@]}" --target postgres -t "$plain_image" . >"$work/build-plain.log" 2>&1 \
  || { tail -n 20 "$work/build-plain.log"; fail "1. build of the plain PostgreSQL stage"; }
new_ids="$("$engine" image inspect --format '{{.Id}}' "$image" "$plain_image" 2>/dev/null || true)"
for id in $old_ids; do
  grep -qx "$id" <<<"$new_ids" || "$engine" rmi "$id" >/dev/null 2>&1 || true
done
info "image size: $image $(megabytes "$image"); same PostgreSQL without pg-entrypoint ($plain_image) $(megabytes "$plain_image"); base $(megabytes "$base")"

mkdir -p "$work/initdb.d"
cat >"$work/initdb.d/10-table.sql" <<'EOF'
CREATE TABLE init_check (source text);
INSERT INTO init_check VALUES ('sql');
EOF
# not executable on purpose: run with bash (the official image would source it)
cat >"$work/initdb.d/20-row.sh" <<'EOF'
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -c "INSERT INTO init_check VALUES ('sh')"
echo "init shell script ran"
EOF
# compressed with xz, decompressed by the image as in the official one
printf "INSERT INTO init_check VALUES ('xz');\n" | xz >"$work/initdb.d/30-row.sql.xz"
chmod 0644 "$work/initdb.d"/*
chmod 0755 "$work/initdb.d"

# ---- 1. postgres --version runs postgres alone, as in the official image -------------------------
out="$("$engine" run --rm "$image" postgres --version 2>&1)"; code=$?
if [ "$code" = 0 ] && grep -q '^postgres (PostgreSQL) [0-9]' <<<"$out"; then
  pass "1. postgres --version prints the version without setup ($(grep -m1 '^postgres (PostgreSQL)' <<<"$out"))"
else
  fail "1. postgres --version prints the version without setup (exit $code: $(head -c 300 <<<"$out"))"
fi

# ---- 2. first start with POSTGRES_PASSWORD ------------------------------------------------------
# the documented default port of the management endpoint, when this version has one
management_port="$(sed -n 's/^| `MANAGEMENT_PORT` | `\([0-9][0-9]*\)`.*/\1/p' docs/configuration.md 2>/dev/null | head -n 1)"
publish_management=()
[ -n "$management_port" ] && publish_management=(-p "127.0.0.1::$management_port")
volumes+=("$tag-data")
"$engine" volume create "$tag-data" >/dev/null
t=$(now)
start a -e POSTGRES_PASSWORD="$password" -e SHUTDOWN_TIMEOUT="$shutdown_timeout" -p 127.0.0.1::5432 \
  "${publish_management[@]}" "${health_opts[@]}" \
  -v "$tag-data:/var/lib/postgresql/data" -v "$work/initdb.d:/docker-entrypoint-initdb.d:ro" "$image" \
  || fail "2. container starts"
if wait_healthy a 120; then
  pass "2. healthy by the image's HEALTHCHECK ($(since "$t") s after run, first initialization)"
else
  fail "2. healthy by the image's HEALTHCHECK"
  show_logs a
fi
port_a="$(host_port a 5432)"
out="$(host_psql "$port_a" "$password" "SELECT 'login ok'")"
check "2. password login from the host (127.0.0.1:$port_a)" [ "$out" = "login ok" ]
out="$(host_psql "$port_a" wrong-password "SELECT 1")"
if grep -q "password authentication failed" <<<"$out"; then
  pass "2. wrong password refused"
else
  fail "2. wrong password refused (got: $out)"
fi

# ---- 6. init scripts, first start ---------------------------------------------------------------
out="$(host_psql "$port_a" "$password" "SELECT string_agg(source, ',' ORDER BY source) FROM init_check")"
check "6. .sql, .sh and .sql.xz init scripts ran on first start (rows: $out)" [ "$out" = "sh,sql,xz" ]
check "6. the .sh script's output is in the log" wait_log a "init shell script ran" 1

# ---- 7. metrics from the host -------------------------------------------------------------------
if [ -z "$management_port" ]; then
  skip "7. metrics endpoint: this version has no management HTTP endpoint (no MANAGEMENT_PORT in docs/configuration.md)"
else
  mport="$(host_port a "$management_port")"
  if curl -fsS --max-time 5 "http://127.0.0.1:$mport/observe/metrics" >"$work/metrics.txt" 2>&1 \
    && grep -q "camel_exchanges_total" "$work/metrics.txt"; then
    pass "7. metrics endpoint answers from the host (127.0.0.1:$mport/observe/metrics)"
  else
    fail "7. metrics endpoint answers from the host ($(head -c 200 "$work/metrics.txt"))"
  fi
fi

# the image's HEALTHCHECK is a probe of the management endpoint: it fails where nothing answers
if in_container a 'MANAGEMENT_PORT=1 /opt/pg-entrypoint/bin/pg-entrypoint-probe' >"$work/probe.out" 2>&1; then
  fail "7. the HEALTHCHECK probe fails when the management endpoint does not answer ($(cat "$work/probe.out"))"
else
  pass "7. the HEALTHCHECK probe fails when the management endpoint does not answer"
fi

# ---- 3. stop, then a new container on the same volume -------------------------------------------
t=$(now)
"$engine" stop -t "$stop_timeout" "$tag-a" >/dev/null 2>"$work/stop.err"
stop_seconds=$(since "$t")
code="$("$engine" inspect --format '{{.State.ExitCode}}' "$tag-a")"
if [ "$code" = 0 ] && awk -v s="$stop_seconds" -v l="$stop_timeout" 'BEGIN { exit !(s < l) }'; then
  pass "3. stop: exit code 0 after $stop_seconds s (stop timeout $stop_timeout s)"
else
  fail "3. stop: exit code $code after $stop_seconds s (stop timeout $stop_timeout s)"
  show_logs a
fi
t=$(now)
start b -e POSTGRES_PASSWORD="$password" -p 127.0.0.1::5432 "${health_opts[@]}" \
  -v "$tag-data:/var/lib/postgresql/data" -v "$work/initdb.d:/docker-entrypoint-initdb.d:ro" "$image"
if wait_healthy b 120; then
  pass "3. new container on the same volume healthy ($(since "$t") s after run)"
else
  fail "3. new container on the same volume healthy"
  show_logs b
fi
if log_has b "skipping initialization" && ! log_has b "initdb done"; then
  pass "3. the new container found the data and did not initialize again"
else
  fail "3. the new container found the data and did not initialize again"
fi
port_b="$(host_port b 5432)"
out="$(host_psql "$port_b" "$password" "SELECT string_agg(source, ',' ORDER BY source) FROM init_check")"
if [ "$out" = "sh,sql,xz" ] && ! log_has b "init shell script ran"; then
  pass "6. init scripts did not run again on the next start (rows: $out)"
else
  fail "6. init scripts did not run again on the next start (rows: $out)"
fi
"$engine" stop -t "$stop_timeout" "$tag-b" >/dev/null 2>"$work/stop.err"

# ---- 4. arbitrary uid, and root ----------------------------------------------------------------
# podman would write a passwd entry for the uid itself; docker and OpenShift do not: test without
uid_opts=(--user 4321:0)
[ "$engine" = podman ] && uid_opts+=(--passwd=false)
volumes+=("$tag-uid")
"$engine" volume create "$tag-uid" >/dev/null
start u "${uid_opts[@]}" -e POSTGRES_PASSWORD="$password" -e PGDATA=/var/lib/postgresql/data/pgdata \
  -p 127.0.0.1::5432 "${health_opts[@]}" -v "$tag-uid:/var/lib/postgresql/data" "$image"
if wait_healthy u 120; then
  owner="$(in_container u 'stat -c %u "$PGDATA"; pg-entrypoint id -un')"
  out="$(host_psql "$(host_port u 5432)" "$password" "SELECT 'login ok'")"
  if [ "$out" = "login ok" ] && [ "$(echo "$owner" | tr '\n' ' ')" = "4321 postgres " ]; then
    pass "4. --user 4321:0 works (healthy, login from the host, PGDATA owned by 4321, user name via nss_wrapper)"
  else
    fail "4. --user 4321:0 works (login: $out; owner and name: $owner)"
  fi
else
  fail "4. --user 4321:0 becomes healthy"
  show_logs u
fi
volumes+=("$tag-uid2")
"$engine" volume create "$tag-uid2" >/dev/null
containers+=("$tag-u2")
out="$("$engine" run --name "$tag-u2" "${uid_opts[@]}" -e POSTGRES_PASSWORD="$password" \
  -v "$tag-uid2:/var/lib/postgresql/data" "$image" 2>&1)"
code=$?
if [ "$code" = 1 ] && grep -q "PGDATA.*subdirectory" <<<"$out"; then
  pass "4. --user 4321:0 on a volume it does not own: exit 1 naming PGDATA and the way out"
else
  fail "4. --user 4321:0 on a volume it does not own: exit $code; $(grep -m1 PGDATA <<<"$out")"
fi
volumes+=("$tag-root")
"$engine" volume create "$tag-root" >/dev/null
start r --user 0 -e POSTGRES_PASSWORD="$password" "${health_opts[@]}" -v "$tag-root:/var/lib/postgresql/data" "$image"
if wait_healthy r 120; then
  uids="$(in_container r 'pm=$(head -n 1 "$PGDATA/postmaster.pid"); sv=$(awk "/^PPid/ {print \$2}" /proc/$pm/status);
    for p in $pm $sv; do awk "/^Uid/ {print \$2}" /proc/$p/status; done; stat -c %u "$PGDATA"' | tr '\n' ' ')"
  check "4. started as root: supervisor, postmaster and PGDATA belong to 999 (uids: $uids)" [ "$uids" = "999 999 999 " ]
else
  fail "4. started as root becomes healthy"
  show_logs r
fi

# ---- 5. a mounted, edited workflow ---------------------------------------------------------------
cp -r target/pg-entrypoint/workflows "$work/workflows"
marker="custom step from a mounted workflow"
# one step more at the top of the entrypoint route: after its first "steps:" line
awk -v marker="$marker" '
  !done && /^ *steps:$/ { print; match($0, /^ */); printf "%*s- log: {message: \"%s\", logName: pg-entrypoint.workflow}\n", RLENGTH + 2, "", marker; done = 1; next }
  { print }' target/pg-entrypoint/workflows/entrypoint.camel.yaml >"$work/workflows/entrypoint.camel.yaml"
chmod -R a+rX "$work/workflows"
start w -e STARTUP_MODE=sleep -v "$work/workflows:/opt/pg-entrypoint/workflows:ro" "$image"
if wait_log w "$marker" 60; then
  pass "5. a mounted, edited workflow runs its extra step (same image)"
else
  fail "5. a mounted, edited workflow runs its extra step"
  show_logs w
fi

# ---- figures ------------------------------------------------------------------------------------
info "stop (SIGINT) to exit: $stop_seconds s"
"$engine" run --rm --entrypoint bash -e POSTGRES_PASSWORD="$password" "$image" -c '
  set -u
  export PGDATA=/tmp/m/data STATE_FILE=/tmp/m/state.json LOCK_FILE=/tmp/m/lock PG_SOCKET_DIR=/tmp/m/run
  ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
  ready() { # milliseconds from start to RUNNING with existing data
    local s; s=$(date +%s%N)
    pg-entrypoint -c listen_addresses= >/tmp/m/log 2>&1 &
    local pid=$!
    until grep -qs "\"state\":\"RUNNING\"" "$STATE_FILE"; do sleep 0.01; done
    ms "$s"
    kill -TERM "$pid"; wait "$pid"; rm -f "$STATE_FILE"
  }
  dry() { local s; s=$(date +%s%N); DRY_RUN=1 pg-entrypoint >/dev/null 2>&1; ms "$s"; }
  median() { sort -n | sed -n 3p; }
  mkdir -p /tmp/m
  pg-entrypoint -c listen_addresses= >/tmp/m/log 2>&1 & pid=$!
  until grep -qs "\"state\":\"RUNNING\"" "$STATE_FILE"; do sleep 0.1; done
  s=$(date +%s%N); pg-entrypoint healthcheck >/dev/null; hc=$(ms "$s")
  kill -TERM "$pid"; wait "$pid"; rm -f "$STATE_FILE"
  no_cds=-XX:SharedArchiveFile=$JAVA_HOME/lib/server/classes.jsa
  : >/tmp/m/r1; : >/tmp/m/r0; : >/tmp/m/d1; : >/tmp/m/d0
  for i in 1 2 3 4 5; do # alternating, so that load from elsewhere hits both alike
    ready >>/tmp/m/r1; JAVA_OPTS=$no_cds ready >>/tmp/m/r0; dry >>/tmp/m/d1; JAVA_OPTS=$no_cds dry >>/tmp/m/d0
  done
  echo "INFO restart to RUNNING (existing data, median of 5): $(median </tmp/m/r1) ms with AppCDS, $(median </tmp/m/r0) ms without"
  echo "INFO DRY_RUN=1 wall time (median of 5): $(median </tmp/m/d1) ms with AppCDS, $(median </tmp/m/d0) ms without"
  echo "INFO healthcheck command: ${hc} ms"
' 2> >(grep -v "systemd connection" >&2) || fail "measuring startup inside the container"
info "image test took $(($(date +%s) - started_at)) s"

if [ "$failures" -gt 0 ]; then
  echo "image test: $failures step(s) FAILED"
  exit 1
fi
echo "image test: all steps passed"
