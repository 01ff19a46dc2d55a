#!/usr/bin/env bash
# The check's five statements as the API sends them for one item at the moment now (the policy, the pupils, the decisions
# from their heads, the items asked, the channel), under pgbench with per-statement latencies (-r): two clients,
# prepared statements on generic plans, 30 active pupils of one school. To see which statement grows with the data set,
# run it on two scales in turn, e.g. bench_small_g1 and bench_xl_g1. check-statements.sql is a copy of the facts
# reader's SQL (ConsentFactsReader, one item, no school filter), its parameters cast to the types the API binds; a test
# (CheckStatementsTests) fails when the two differ.
# Usage, with the bench's cluster up (bench/run.sh starts and stops it; start it by hand to run this):
#   bench/pgbench/statements.sh [database, default bench_small_g1] [seconds, default 8] [port, default $BENCH_PG_PORT or 55440]
set -euo pipefail
# shellcheck source=bench/pgbench/common.sh
source "$(dirname "$0")/common.sh"
school="$("${psql[@]}" "SELECT id FROM schools WHERE organisation_id = '$org' ORDER BY md5(id::text) LIMIT 1")"
pupils="$("${psql[@]}" "SELECT '{' || string_agg(id::text, ',') || '}' FROM (SELECT id FROM pupils WHERE school_id = '$school' AND status = 'Active' ORDER BY md5(id::text) LIMIT 30) p")"
run_pgbench check-statements "$pupils" -r |
  sed -n -e 's/^tps = \([0-9.]*\).*/\1 checks\/s/p' -e 's/^ *\([0-9.]*\) *[0-9]* *\(SELECT .\{0,50\}\).*/  \1 ms  \2/p'
