#!/usr/bin/env bash
# The high-availability drill, on this machine, loopback only, with Debian packages only (about three minutes):
#   etcd (one member) + Patroni 3 managing a PostgreSQL 15 primary and a synchronous standby;
#   two API instances with a multi-host connection string that always finds the primary (Target Session Attributes);
#   HAProxy in front of the two, health-checking /health/ready.
# Under a steady mixed load (ops/HaDrill: checks, decisions, publications, webhook deliveries to a local receiver) it
#   1. kills the primary's postmaster with SIGKILL,
#   2. kills the primary's machine: its Patroni and its postmaster with SIGKILL, so that the standby must take over,
#   3. kills one API instance with SIGKILL,
# withdrawing a consent just before each, and reports acknowledged writes lost, requests failed and for how long, time
# until writes succeed again, webhook events missing or duplicated, and whether each withdrawal holds on the next check.
# The report goes to ops/results/ha-drill-<date>.md. Exit status 0 only when nothing acknowledged was lost, no webhook
# event is missing and every withdrawal held.
#
# The API instances run without the per-client rate limit (RateLimiting__PermitsPerMinute=0): the drill's one key sends
# about 120 requests a second, and a 429 would hide what the drill is about.
#
# Usage: ops/ha-drill.sh            (env DRILL_SECONDS, default 150; DRILL_WORKERS, default 6)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
source scripts/prerequisites.sh
ensure_dotnet
ensure_postgres_server
missing=()
command -v patroni >/dev/null || missing+=(patroni)
command -v etcd >/dev/null || missing+=(etcd-server)
command -v haproxy >/dev/null && [ -x "$(command -v haproxy)" ] || missing+=(haproxy)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then echo "==> Installing ${missing[*]}"; apt_install "${missing[@]}"; fi
haproxy_bin="$(command -v haproxy || echo /usr/sbin/haproxy)"
pg_bin="$(postgres_bin)"

seconds="${DRILL_SECONDS:-150}"
workers="${DRILL_WORKERS:-6}"
etcd_port=23791 etcd_peer=23801 pg1=25432 pg2=25433 rest1=28008 rest2=28009 api1=28081 api2=28082 lb=28080 receiver=28090
for port in $etcd_port $etcd_peer $pg1 $pg2 $rest1 $rest2 $api1 $api2 $lb $receiver; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "Port $port is in use; the drill needs it free." >&2; exit 1; fi
done

work="$(mktemp -d /var/tmp/consent-ha-drill.XXXXXX)"
as_db() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$work"
pids=()
cleanup() {
  exec 2>/dev/null # the shell's "Killed" notices
  for pid in "${pids[@]}"; do kill -9 "$pid" || true; done
  pkill -9 -f "$work" || true
  wait || true
  if [ -n "${DRILL_KEEP:-}" ]; then echo "kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "==> Building the API and the drill"
dotnet build src/ConsentApi/ConsentApi.csproj -c Release --nologo -v quiet
dotnet build ops/HaDrill/HaDrill.csproj -c Release --nologo -v quiet

echo "==> etcd on 127.0.0.1:$etcd_port"
as_db etcd --name drill --data-dir "$work/etcd" --listen-client-urls "http://127.0.0.1:$etcd_port" \
  --advertise-client-urls "http://127.0.0.1:$etcd_port" --listen-peer-urls "http://127.0.0.1:$etcd_peer" \
  --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" --initial-cluster "drill=http://127.0.0.1:$etcd_peer" \
  >"$work/etcd.log" 2>&1 &
pids+=($!)

# ttl 10 s: a primary that stops renewing its leader key is replaced after at most 10 s. synchronous_mode: a commit
# returns only when the standby has it, so promoting the standby loses no acknowledged write; not strict, so that a
# primary left alone keeps accepting writes rather than stopping the school.
patroni_config() { # name rest-port pg-port
  cat <<YAML
scope: consent-drill
name: $1
log: {level: INFO}
restapi: {listen: "127.0.0.1:$2", connect_address: "127.0.0.1:$2"}
etcd3: {hosts: "127.0.0.1:$etcd_port"}
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    maximum_lag_on_failover: 0
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters: {wal_level: replica, hot_standby: "on", max_wal_senders: 10, max_replication_slots: 10, wal_log_hints: "on", max_connections: 200}
  initdb: [{encoding: UTF8}, {locale: C.UTF-8}, {auth: trust}]
postgresql:
  listen: "127.0.0.1:$3"
  connect_address: "127.0.0.1:$3"
  data_dir: $work/$1
  bin_dir: $pg_bin
  pgpass: $work/pgpass-$1
  pg_hba: ["local all all trust", "host replication replicator 127.0.0.1/32 trust", "host all all 127.0.0.1/32 trust"]
  authentication:
    replication: {username: replicator, password: drill}
    superuser: {username: postgres, password: drill}
    rewind: {username: postgres, password: drill}
  parameters: {unix_socket_directories: "$work"}
YAML
}
start_patroni() { # name rest pg
  patroni_config "$@" >"$work/$1.yml"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$work/$1.yml"
  as_db patroni "$work/$1.yml" >"$work/patroni-$1.log" 2>&1 &
  pids+=($!)
}
wait_for() { # description seconds command...
  local what="$1" limit="$2"; shift 2
  for _ in $(seq "$limit"); do if "$@" >/dev/null 2>&1; then return 0; fi; sleep 1; done
  echo "Timed out waiting for $what" >&2; tail -20 "$work"/*.log >&2; exit 1
}
sync_standby() { curl -sf "http://127.0.0.1:$rest1/cluster" | grep -q '"role": *"sync_standby"'; }

echo "==> Patroni: pg1 (127.0.0.1:$pg1) and pg2 (127.0.0.1:$pg2)"
start_patroni pg1 $rest1 $pg1
wait_for "pg1 to lead" 60 curl -sf "http://127.0.0.1:$rest1/primary"
start_patroni pg2 $rest2 $pg2
wait_for "pg2 to become the synchronous standby" 90 sync_standby
as_db "$pg_bin/psql" -h 127.0.0.1 -p $pg1 -U postgres -d postgres -qc "CREATE DATABASE consent" -c "CREATE ROLE consent_app LOGIN"

hosts="127.0.0.1:$pg1,127.0.0.1:$pg2"
# Target Session Attributes=primary: every new connection asks each host and keeps the one that accepts writes, so after
# a failover the pool finds the new primary by itself. Host Recheck Seconds bounds how long a dead host is skipped.
runtime="Host=$hosts;Database=consent;Username=consent_app;Target Session Attributes=primary;Host Recheck Seconds=2;Timeout=3"
owner="Host=$hosts;Database=consent;Username=postgres;Target Session Attributes=primary"
export Bootstrap__AdminApiKey="drill-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cd src/ConsentApi/bin/Release/net10.0
echo "==> Migrating and seeding"
key="$(Database__RuntimeRole=consent_app ConnectionStrings__ConsentDb="$owner" dotnet ConsentApi.dll seed-demo | grep -Eo 'cak_[A-Za-z0-9_-]+' | head -1)"
[ -n "$key" ] || { echo "Seeding gave no API key" >&2; exit 1; }

for port in $api1 $api2; do
  ConnectionStrings__ConsentDb="$runtime" Webhooks__AllowPrivateNetworks=true Webhooks__AllowHttp=true RateLimiting__PermitsPerMinute=0 ASPNETCORE_ENVIRONMENT=Production \
    dotnet ConsentApi.dll --urls "http://127.0.0.1:$port" >"$work/api-$port.log" 2>&1 &
  pids+=($!)
  echo $! >"$work/api-$port.pid"
done
cd "$root"
wait_for "API 1" 60 curl -sf "http://127.0.0.1:$api1/health/ready"
wait_for "API 2" 60 curl -sf "http://127.0.0.1:$api2/health/ready"

cat >"$work/haproxy.cfg" <<CFG
global
  maxconn 2000
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  retries 2
  # Only a connection that never reached an instance is tried on the other: a request that did reach one is not sent
  # twice (a decision could be recorded twice).
  retry-on conn-failure
  option redispatch
frontend api
  bind 127.0.0.1:$lb
  default_backend instances
backend instances
  balance roundrobin
  option httpchk GET /health/ready
  default-server inter 1s fall 2 rise 1
  server api1 127.0.0.1:$api1 check
  server api2 127.0.0.1:$api2 check
CFG
"$haproxy_bin" -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids+=($!)
wait_for "HAProxy" 20 curl -sf "http://127.0.0.1:$lb/health/live"

leader_pg() { for p in "$rest1:pg1" "$rest2:pg2"; do curl -sf "http://127.0.0.1:${p%%:*}/primary" >/dev/null && { echo "${p##*:}"; return; }; done; }
kill_postmaster="n=\$(for p in $rest1:pg1 $rest2:pg2; do curl -sf http://127.0.0.1:\${p%%:*}/primary >/dev/null && echo \${p##*:}; done | head -1); \
  pid=\$(head -1 $work/\$n/postmaster.pid); kill -9 \$pid && echo \"\$n postmaster \$pid killed\""
kill_machine="n=\$(for p in $rest1:pg1 $rest2:pg2; do curl -sf http://127.0.0.1:\${p%%:*}/primary >/dev/null && echo \${p##*:}; done | head -1); \
  pkill -9 -f \"patroni $work/\$n.yml\"; pid=\$(head -1 $work/\$n/postmaster.pid); kill -9 \$pid; echo \"\$n Patroni and postmaster \$pid killed\""
kill_api="kill -9 \$(cat $work/api-$api1.pid) && echo 'API instance 127.0.0.1:$api1 killed'"

echo "==> Drill: $seconds s of load through 127.0.0.1:$lb (primary: $(leader_pg))"
mkdir -p ops/results
report="ops/results/ha-drill-$(date -u +%Y-%m-%d-%H%M).md"
set +e
dotnet ops/HaDrill/bin/Release/net10.0/HaDrill.dll --api "http://127.0.0.1:$lb" --key "$key" --db "$owner" \
  --receiver-port $receiver --seconds "$seconds" --workers "$workers" --report "$report.tmp" --requests "$work/requests.csv" \
  --fault "25|1. primary's postmaster SIGKILLed|$kill_postmaster" \
  --fault "60|2. primary's machine dies (Patroni and postmaster SIGKILLed)|$kill_machine" \
  --fault "105|3. an API instance SIGKILLed|$kill_api"
status=$?
set -e
{
  echo "# HA drill, $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo
  echo "\`ops/ha-drill.sh\` (DRILL_SECONDS=$seconds, DRILL_WORKERS=$workers): Patroni $(patroni --version | awk '{print $2}'), etcd $(etcd --version | awk 'NR==1{print $3}'), PostgreSQL 15, HAProxy, two API instances."
  echo
  cat "$report.tmp"
  echo
  echo "Cluster at the end:"
  echo '```'
  patronictl -c "$work/pg1.yml" list 2>/dev/null || true
  echo '```'
} >"$report"
rm -f "$report.tmp"
echo "==> Report: $report"
exit $status
