# Sourced by the pgbench scripts here: their arguments, the cluster, the organisation, the moment now, and pgbench itself
# as the API and the fastest baseline run statements (prepared, generic plans, two clients).
#   arguments: [database, default bench_small_g1] [seconds, default 8] [port, default $BENCH_PG_PORT or 55440]
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
db="${1:-bench_small_g1}"
seconds="${2:-8}"
port="${3:-${BENCH_PG_PORT:-55440}}"
bin="${PG_BIN:-/usr/lib/postgresql/15/bin}"
psql=("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d "$db" -Atc)
org="$("${psql[@]}" "SELECT id FROM organisations ORDER BY id LIMIT 1")"
now="$(date -u '+%Y-%m-%d %H:%M:%S+00')"

# run_pgbench SCRIPT PUPILS [pgbench options...]: SCRIPT.sql for 30 pupils (PUPILS, an array literal), item photo on the website.
run_pgbench() {
  local script="$1" pupils="$2"
  shift 2
  PGOPTIONS="-c plan_cache_mode=force_generic_plan" "$bin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -M prepared -c 2 -j 2 \
    -T "$seconds" -D "org=$org" -D "at=$now" -D mt=Photo -D ch=website -D "pupils=$pupils" "$@" -f "$here/$script.sql" "$db"
}
