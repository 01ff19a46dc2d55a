# Sourced by the probes that run servers on a clone of the bench's `small` data set (bench/stalls.sh,
# bench/settings-ab.sh): what they need installed, the bench's cluster started (bench/run.sh stops it when it ends) and
# stopped again when the probe ends, with the clone dropped and the servers the probe started stopped.
#   clone_small NAME       the database NAME, a clone of bench_small_g1 (made by bench/run.sh small), migrated and
#                          analysed; sets $connection
#   serve NAME DLL [ENV]   starts a server of the clone on a free port with the bench's settings (and ENV, NAME=value
#                          words), waits until it is live; sets ${port[NAME]} and ${pid[NAME]}
#   meta KEY               a value the data set generator kept (bench_meta: clientKey, organisationId, ...)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
source scripts/prerequisites.sh
ensure_dotnet
command -v wrk >/dev/null || { echo "==> Installing wrk" >&2; apt_install wrk; }
bin="$(postgres_bin)"
pg_port="${BENCH_PG_PORT:-55440}"
data="${BENCH_PG_DATA:-$root/.data/bench/pg}"
run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ -f "$data/PG_VERSION" ] || { echo "No bench cluster in $data: run bench/run.sh small first." >&2; exit 1; }
work="$(mktemp -d)"
pids=()
clone=""
declare -A port pid
finish() {
  for server in "${pids[@]}"; do kill "$server" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$clone" ]; then
    "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $clone WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  run_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap finish EXIT
psql() { "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -Atq "$@"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

clone_small() {
  clone="$1"
  run_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  run_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -o "-p $pg_port -k /tmp -c listen_addresses=127.0.0.1 \
    -c max_connections=500 -c shared_buffers=2GB -c effective_cache_size=8GB -c work_mem=16MB -c random_page_cost=1.1" start >/dev/null
  psql -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $clone WITH (FORCE)" \
    -c "CREATE DATABASE $clone TEMPLATE bench_small_g1"
  connection="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$clone"
  local api_dll="$root/src/ConsentApi/bin/Release/net10.0/ConsentApi.dll"
  (cd "$(dirname "$api_dll")" && ConnectionStrings__ConsentDb="$connection" Logging__LogLevel__Default=Warning dotnet "$api_dll" migrate >/dev/null)
  psql -d "$clone" -c "VACUUM ANALYZE"
}

meta() { psql -d "$clone" -c "SELECT value FROM bench_meta WHERE key = '$1'"; }

serve() {
  local name="$1" dll="$2" extra="${3:-}" p
  p="$(free_port)"
  # shellcheck disable=SC2086 # the extra environment is a list of NAME=value words
  (cd "$(dirname "$dll")" && exec env $extra ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
    ConnectionStrings__ConsentDb="$connection" RateLimiting__PermitsPerMinute=100000000 Baseline__OrganisationId="$(meta organisationId)" \
    dotnet "$dll" --urls "http://127.0.0.1:$p" >"$work/$name.log" 2>&1) &
  pids+=($!)
  pid[$name]=$!
  port[$name]=$p
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$p/health/live" >/dev/null 2>&1 && return; sleep 0.3; done
  echo "$name did not start: $(cat "$work/$name.log")" >&2
  exit 1
}
