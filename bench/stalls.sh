#!/usr/bin/env bash
# Stalls of the machine, told apart from stalls of the API: the API and its SQL by hand (the baseline), each alone on a
# clone of the bench's `small` data set under the consent-matrix load (wrk, 2 threads, 32 connections), measured in
# one-second loads in a row. Prints every second whose slowest request took longer than 400 ms, with that second's
# throughput and the CPU the machine left idle (vmstat), and per server how many such seconds it had. A stall that the
# baseline shows as often as the API is not the API's layers (README, Performance).
# Usage: bench/stalls.sh [seconds per server, default 120]
# Needs the data set bench/run.sh small made (it stops its cluster when it ends; this script starts it and stops it again).
source "$(dirname "$0")/small-clone.sh"
seconds="${1:-120}"

echo "==> Building (Release)" >&2
dotnet build src/ConsentApi/ConsentApi.csproj -c Release --nologo -v quiet >&2
dotnet build bench/ConsentApi.Baseline/ConsentApi.Baseline.csproj -c Release --nologo -v quiet >&2
api_dll="$root/src/ConsentApi/bin/Release/net10.0/ConsentApi.dll"
baseline_dll="$root/bench/ConsentApi.Baseline/bin/Release/net10.0/ConsentApi.Baseline.dll"
clone_small bench_stalls

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

serve API "$api_dll"
serve baseline "$baseline_dll"

for name in API baseline; do
  echo "==> $name: 60 s of warm-up, then $seconds one-second loads" >&2
  wrk -t2 -c32 -d60s -s "$work/matrix.lua" "http://127.0.0.1:${port[$name]}" >/dev/null
  vmstat -n 1 > "$work/vmstat" & vmstat_pid=$!
  for _ in $(seq 1 "$seconds"); do
    out="$(wrk -t2 -c32 -d1s -s "$work/matrix.lua" "http://127.0.0.1:${port[$name]}")"
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
