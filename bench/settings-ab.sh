#!/usr/bin/env bash
# A runtime setting, measured: two APIs up at once on one clone of the bench's `small` data set, A with the settings it
# ships with and B with extra environment (e.g. DOTNET_GCHeapCount=1), taking turns under the check load (wrk, 2 threads,
# 32 connections, checks of 30 pupils over 200 groups and every item, shaped as bench/run.sh sends them). After a warm-up, the
# rounds alternate which one goes first. Per turn it prints req/s, p99, the server's CPU per check (user + system time
# from /proc/<pid>/stat ÷ requests, which a busy machine inflates far less than req/s) and its peak RSS (VmRSS sampled
# every 50 ms), then the medians per server. The two share the machine and the database, so only the comparison counts.
# Usage: B_ENV="DOTNET_GCHeapCount=1" bench/settings-ab.sh [rounds, default 8] [seconds per turn, default 8]
#   A_ENV sets A's extra environment too (default none), to swap the two and rule out the order.
# Needs the data set bench/run.sh small made (it stops its cluster when it ends; this script starts it and stops it again).
source "$(dirname "$0")/small-clone.sh"
rounds="${1:-8}"
seconds="${2:-8}"
a_env="${A_ENV:-}"
b_env="${B_ENV:?Set B_ENV to the environment B runs with, e.g. B_ENV=DOTNET_GCHeapCount=1}"

echo "==> Building (Release)" >&2
dotnet build src/ConsentApi/ConsentApi.csproj -c Release --nologo -v quiet >&2
api_dll="$root/src/ConsentApi/bin/Release/net10.0/ConsentApi.dll"
clone_small bench_ab

# Checks shaped as the bench's (Workloads.PublicationChecksAsync): for each of 200 groups, 30 active pupils of its school,
# the group's own first; the item rotating over the three media types and the channels.
{
  echo "local requests = {"
  psql -d bench_ab -F ' ' -c "
    WITH g AS (SELECT school_id, id, row_number() OVER (ORDER BY md5(id::text)) - 1 AS n FROM groups ORDER BY md5(id::text) LIMIT 200),
         c AS (SELECT key, row_number() OVER (ORDER BY key) - 1 AS n FROM channels WHERE organisation_id = (SELECT id FROM organisations ORDER BY id LIMIT 1))
    SELECT json_build_object(
             'pupilIds', (SELECT json_agg(p.id) FROM (SELECT id FROM pupils WHERE school_id = g.school_id AND status = 'Active'
                                                      ORDER BY group_id = g.id DESC, md5(id::text) LIMIT 30) p),
             'mediaType', (ARRAY['photo', 'film', 'audio'])[g.n % 3 + 1],
             'channel', (SELECT key FROM c WHERE c.n = g.n / 3 % (SELECT count(*) FROM c)))
    FROM g ORDER BY g.n" |
    while read -r body; do echo "  [[$body]],"; done
  cat <<LUA
}
local headers = { ["X-Api-Key"] = "$(meta clientKey)",
                  ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 7919)
end
local i = 0
function request()
  i = i + 1
  return wrk.format("POST", "/v1/publication-checks", headers, requests[((offset or 0) + i) % #requests + 1])
end
LUA
} > "$work/check.lua"

serve A "$api_dll" "$a_env"
serve B "$api_dll" "$b_env"
echo "A: ${a_env:-as shipped}; B: $b_env" >&2

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
turn() { # name seconds: one load on that server; prints and records its figures
  local name="$1" p="${pid[$1]}" before after out
  before="$(ticks "$p")"
  (peak=0; while kill -0 "$p" 2>/dev/null; do
     rss="$(awk '/VmRSS/ { print $2 }' "/proc/$p/status")"; [ "$rss" -gt "$peak" ] && peak="$rss"; echo "$peak" > "$work/peak"; sleep 0.05
   done) & local sampler=$!
  out="$(wrk -t2 -c32 -d"$2"s --timeout 10s --latency -s "$work/check.lua" "http://127.0.0.1:${port[$name]}")"
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  after="$(ticks "$p")"
  local requests rps p99 failed cpu
  requests="$(echo "$out" | awk '/requests in/ { print $1 }')"
  rps="$(echo "$out" | awk '/Requests\/sec/ { print int($2) }')"
  p99="$(echo "$out" | awk '$1 == "99%" { v = $2 + 0; if ($2 ~ /us$/) v /= 1000; else if ($2 !~ /ms$/ && $2 ~ /s$/) v *= 1000; print v }')"
  failed="$(echo "$out" | awk '/Non-2xx/ { n += $NF } /Socket errors/ { n += $4 + $6 + $8 + $10 } END { print n + 0 }')"
  # Clock ticks are hundredths of a second: µs per check.
  cpu=$(( (after - before) * 10000 / requests ))
  echo "$name $rps $p99 $cpu $(( $(cat "$work/peak") / 1024 )) $failed" | tee -a "$work/turns"
}
echo "==> Warming both up (30 s each, twice)" >&2
for _ in 1 2; do turn A 30 >/dev/null; turn B 30 >/dev/null; done
: > "$work/turns"
echo "==> $rounds rounds of $seconds s each: server req/s p99-ms cpu-µs-per-check peak-RSS-MiB failed"
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then turn A "$seconds"; turn B "$seconds"; else turn B "$seconds"; turn A "$seconds"; fi
done
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
for name in A B; do
  kill -0 "${pid[$name]}" 2>/dev/null || { echo "$name is no longer running: $(tail -5 "$work/$name.log")" >&2; exit 1; }
  printf '%s medians: %s req/s, p99 %s ms, %s µs CPU per check, peak RSS %s MiB; VmHWM %s MiB\n' "$name" \
    "$(awk -v n="$name" '$1 == n { print $2 }' "$work/turns" | median)" "$(awk -v n="$name" '$1 == n { print $3 }' "$work/turns" | median)" \
    "$(awk -v n="$name" '$1 == n { print $4 }' "$work/turns" | median)" "$(awk -v n="$name" '$1 == n { print $5 }' "$work/turns" | median)" \
    "$(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/${pid[$name]}/status")"
done
