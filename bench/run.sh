#!/usr/bin/env bash
# Benchmarks the API against two raw-Npgsql baselines, the API's SQL by hand and the fastest correct SQL (see README): bench/run.sh [small] [large] [xl] [--depth 1,10] [--rounds 5] [--quick]
# bench/run.sh webhooks [--quick] measures webhook delivery alone (commit-to-delivery latency, deliveries per second).
# bench/run.sh campaigns [small] [large] [xl] [--quick] measures the campaigns' and the parents' app's reads alone (latency and
# round trips per read, with a campaign open at every school).
# (--quick only checks that the harness runs: its figures are not steady-state; --depth runs every scale at every listed
# history depth, default 1: each person's decisions per item deepened to that many, older ones alternating outcomes;
# with several depths the check is then measured again in --rounds alternating rounds with every depth's servers up).
# Installs wrk when absent, builds Release, starts its own PostgreSQL (fsync on) under .data/bench, generates the data
# set once per scale with a fixed seed and deepens a copy of it once per depth (later runs clone them), runs every
# scenario with a warm-up and prints a Markdown table, also written to bench/results/. Exits 2 when a target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
source scripts/prerequisites.sh
ensure_dotnet
command -v wrk >/dev/null || { echo "==> Installing wrk" >&2; apt_install wrk; }
bin="$(postgres_bin)"

echo "==> Building (Release)" >&2
dotnet build src/ConsentApi/ConsentApi.csproj -c Release --nologo -v quiet >&2
dotnet build bench/ConsentApi.Baseline/ConsentApi.Baseline.csproj -c Release --nologo -v quiet >&2
dotnet build bench/ConsentApi.Bench/ConsentApi.Bench.csproj -c Release --nologo -v quiet >&2

pg_port="${BENCH_PG_PORT:-55440}"
# BENCH_PG_DATA: another checkout's cluster, to reuse the data sets it generated (xl takes over 20 minutes to make).
data="${BENCH_PG_DATA:-$root/.data/bench/pg}"
run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$data"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$data" && chmod 700 "$data"
  if [ -z "${BENCH_PG_DATA:-}" ] && ! runuser -u postgres -- test -w "$data"; then
    data="/var/tmp/consentapi-bench-$(echo "$root" | md5sum | cut -c1-8)/pg"
    mkdir -p "$data" && chown -R postgres:postgres "$(dirname "$data")" && chmod 700 "$data"
  fi
fi
if [ ! -f "$data/PG_VERSION" ]; then
  echo "==> Creating a PostgreSQL cluster in $data" >&2
  run_pg "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
fi
hugepages_before=""
stop_database() {
  run_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  if [ -n "$hugepages_before" ]; then echo "$hugepages_before" > /proc/sys/vm/nr_hugepages || true; fi
}
trap stop_database EXIT
stop_database
# Production-like: durable commits (fsync, synchronous_commit and full-page writes stay on), memory sized for the machine.
# 500 connections: the alternating rounds run an API and a baseline per scale at once, each baseline with two pools; at 200
# a pool opening its 32nd connection was refused ("too many clients already", rounds of 2026-12-01 02:16), and at 300 the
# API answered two requests of the rounds of 2026-12-02 06:38 with a 503 for the same reason.
# BENCH_PG_SHARED_BUFFERS (default 2GB) tries another size; the report counts the blocks the checks read into shared
# buffers (at xl, with 2GB, none once the loads have warmed up: the checks' pages stay in shared buffers).
shared_buffers="${BENCH_PG_SHARED_BUFFERS:-2GB}"
settings="-c max_connections=500 -c shared_buffers=$shared_buffers -c effective_cache_size=8GB -c work_mem=16MB \
  -c maintenance_work_mem=512MB -c max_wal_size=4GB -c checkpoint_timeout=15min -c random_page_cost=1.1 -c fsync=on -c synchronous_commit=on"
# Shared buffers on huge pages, as PostgreSQL's documentation advises for a server of this size (docs/operations.md): the
# check reads a few hundred buffers spread over gigabytes at xl, and with 4 KiB pages each costs TLB misses. The pages
# are reserved for the run (root only) and given back when it ends; BENCH_PG_HUGE_PAGES=off runs on 4 KiB pages.
huge_pages=off
if [ "${BENCH_PG_HUGE_PAGES:-on}" = on ] && [ "$(id -u)" -eq 0 ] && [ -w /proc/sys/vm/nr_hugepages ]; then
  # shellcheck disable=SC2086 # $settings is a list of options
  needed="$(run_pg "$bin/postgres" -D "$data" $settings -C shared_memory_size_in_huge_pages 2>/dev/null || echo 0)"
  before="$(cat /proc/sys/vm/nr_hugepages)"
  # A read-only /proc/sys (some containers) refuses the write: the run goes on with 4 KiB pages.
  if [ "$needed" -gt 0 ] && (echo $((needed + before)) > /proc/sys/vm/nr_hugepages) 2>/dev/null; then
    hugepages_before="$before"
    if [ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -ge "$needed" ]; then huge_pages=on; fi
  fi
fi
run_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
  -o "-p $pg_port -k /tmp -c listen_addresses=127.0.0.1 $settings -c huge_pages=$huge_pages" start >/dev/null
export BENCH_PG_MEMORY="shared_buffers $shared_buffers on $([ "$huge_pages" = on ] && echo "huge pages (2 MiB)" || echo "4 KiB pages")"

export PG_BIN="$bin"
export BENCH_DB="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
export BENCH_API_DLL="$root/src/ConsentApi/bin/Release/net10.0/ConsentApi.dll"
export BENCH_BASELINE_DLL="$root/bench/ConsentApi.Baseline/bin/Release/net10.0/ConsentApi.Baseline.dll"
export BENCH_RESULTS="$root/bench/results"
dotnet bench/ConsentApi.Bench/bin/Release/net10.0/ConsentApi.Bench.dll "$@"
