#!/usr/bin/env bash
# The check's decisions statement alone, in its shapes, under pgbench: two clients, prepared statements on generic plans
# (as the API and the fastest baseline run them), 30 pupils of one school, the moment now.
#   decisions-heads-lateral.sql  the heads read per pupil, with a lateral branch per head for one that does not count (before)
#   decisions-heads-scan-cte.sql the heads read in one index scan into a common table expression, read again for those
#                                that count and for those that do not, the versions of a school year not begun found
#                                through common table expressions as well (before)
#   decisions-heads-scan.sql     the heads read in one index scan, a lateral join to the history skipped for those that
#                                count, the versions not begun found once, only the columns a check reads (the API now)
#   decisions-distinct-on.sql    each person's latest decision by DISTINCT ON over the covering index (the fastest baseline's
#                                statement, FastestQueries.OneItemDecisionsSql)
# Usage, with the bench's cluster up (bench/run.sh starts and stops it; start it by hand to run this):
#   bench/pgbench/run.sh [database, default bench_small_g1] [seconds, default 8] [port, default $BENCH_PG_PORT or 55440]
set -euo pipefail
# shellcheck source=bench/pgbench/common.sh
source "$(dirname "$0")/common.sh"
school="$("${psql[@]}" "SELECT id FROM schools WHERE organisation_id = '$org' ORDER BY id LIMIT 1")"
pupils="$("${psql[@]}" "SELECT '{' || string_agg(id::text, ',') || '}' FROM (SELECT id FROM pupils WHERE school_id = '$school' ORDER BY id LIMIT 30) p")"
for script in decisions-heads-lateral decisions-heads-scan-cte decisions-heads-scan decisions-distinct-on; do
  tps="$(run_pgbench "$script" "$pupils" | sed -n 's/^tps = \([0-9.]*\).*/\1/p')"
  printf '%-26s %10.0f statements/s\n' "$script" "$tps"
done
