#!/usr/bin/env bash
# Stalls of the machine, told apart from stalls of the API: the API and its SQL by hand (the baseline), each alone on a
# clone of the bench's `small` data set under the consent-matrix load (wrk, 2 threads, 32 connections), measured in
# one-second loads in a row. Prints every second whose slowest request took longer than 400 ms, with that second's
# throughput and the CPU the machine left idle (vmstat), and per server how many such seconds it had. A stall that the
# baseline shows as often as the API is not the API's layers (README, Performance).
# Usage: bench/stalls.sh [seconds per server, default 120]
# Needs the data set bench/run.sh small made (it stops its cluster when it ends; this script starts it and stops it again).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
source scripts/prerequisites.sh
ensure_dotnet
command -v wrk >/dev/null || { echo "==> Installing wrk" >&2; apt_install wrk; }
bin="$(postgres_bin)"
seconds="${1:-120}"

echo "==> Building (Release)" >&2
dotnet build src/ConsentApi/ConsentApi.csproj -c Release --nologo -v quiet >&2
dotnet build bench/ConsentApi.Baseline/ConsentApi.Baseline.csproj -c Release --nologo -v quiet >&2
api_dll="$root/src/ConsentApi/bin/Release/net10.0/ConsentApi.dll"
baseline_dll="$root/bench/ConsentApi.Baseline/bin/Release/net10.0/ConsentApi.Baseline.dll"

pg_port="${BENCH_PG_PORT:-55440}"
data="${BENCH_PG_DATA:-$root/.data/bench/pg}"
run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ -f "$data/PG_VERSION" ] || { echo "No bench cluster in $data: run bench/run.sh small first." >&2; exit 1; }
work="$(mktemp -d)"
pids=()
finish() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qc "DROP DATABASE IF EXISTS bench_stalls WITH (FORCE)" >/dev/null 2>&1 || true
  run_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap finish EXIT
run_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
run_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -o "-p $pg_port -k /tmp -c listen_addresses=127.0.0.1 \
  -c max_connections=300 -c shared_buffers=2GB -c effective_cache_size=8GB -c work_mem=16MB -c random_page_cost=1.1" start >/dev/null
psql() { "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -Atq "$@"; }
psql -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS bench_stalls WITH (FORCE)" -c "CREATE DATABASE bench_stalls TEMPLATE bench_small_g1"
connection="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=bench_stalls"
(cd "$(dirname "$api_dll")" && ConnectionStrings__ConsentDb="$connection" Logging__LogLevel__Default=Warning dotnet "$api_dll" migrate >/dev/null)
psql -d bench_stalls -c "VACUUM ANALYZE"
meta() { psql -d bench_stalls -c "SELECT value FROM bench_meta WHERE key = '$1'"; }

# The bench's matrix workload: 500 active pupils, each thread of wrk starting at its own offset.
{
  echo "local requests = {"
  psql -d bench_stalls -c "SELECT id FROM pupils WHERE status = 'Active' ORDER BY md5(id::text) LIMIT 500" |
    while read -r id; do echo "  \"/v1/pupils/$id/consents\","; done
  cat <<LUA
}
local headers = { ["X-Api-Key"] = "$(meta clientKey)", ["Accept"] = "application/json" }
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 7919)
end
local i = 0
function request()
  i = i + 1
  return wrk.format("GET", requests[((offset or 0) + i) % #requests + 1], headers)
end
LUA
} > "$work/matrix.lua"

start() { # name dll port: the server, with the bench's settings
  local organisation; organisation="$(meta organisationId)"
  (cd "$(dirname "$2")" && ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning ConnectionStrings__ConsentDb="$connection" \
    RateLimiting__PermitsPerMinute=100000000 Baseline__OrganisationId="$organisation" \
    exec dotnet "$2" --urls "http://127.0.0.1:$3" >"$work/$1.log" 2>&1) &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$3/health/live" >/dev/null 2>&1 && return; sleep 0.3; done
  echo "$1 did not start: $(cat "$work/$1.log")" >&2
  exit 1
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
api_port="$(free_port)"; start API "$api_dll" "$api_port"
baseline_port="$(free_port)"; start baseline "$baseline_dll" "$baseline_port"

for server in "API:$api_port" "baseline:$baseline_port"; do
  name="${server%%:*}"; port="${server##*:}"
  echo "==> $name: 60 s of warm-up, then $seconds one-second loads" >&2
  wrk -t2 -c32 -d60s -s "$work/matrix.lua" "http://127.0.0.1:$port" >/dev/null
  vmstat -n 1 > "$work/vmstat" & vmstat_pid=$!
  for _ in $(seq 1 "$seconds"); do
    out="$(wrk -t2 -c32 -d1s -s "$work/matrix.lua" "http://127.0.0.1:$port")"
    # The second's slowest request in ms, its throughput, and the idle CPU vmstat printed last.
    max="$(echo "$out" | awk '/Latency/ { v = $4 + 0; if ($4 ~ /us$/) v /= 1000; else if ($4 !~ /ms$/ && $4 ~ /s$/) v *= 1000; print int(v) }')"
    rps="$(echo "$out" | awk '/Requests\/sec/ { print int($2) }')"
    idle="$(tail -1 "$work/vmstat" | awk '{ print $15 }')"
    echo "$(date -u +%H:%M:%S) $name $max $rps $idle"
  done > "$work/$name.seconds"
  kill "$vmstat_pid" 2>/dev/null || true
  awk '$3 > 400 { printf "%s %s: slowest request %d ms, %d req/s, CPU idle %d %%\n", $1, $2, $3, $4, $5 }' "$work/$name.seconds"
  stalls="$(awk '$3 > 400' "$work/$name.seconds" | wc -l)"
  median="$(awk '{ print $4 }' "$work/$name.seconds" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
  echo "$name: $stalls of $seconds seconds with a request slower than 400 ms; median $median req/s"
done
