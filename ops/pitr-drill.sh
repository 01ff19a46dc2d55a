#!/usr/bin/env bash
# Point-in-time recovery, actually run: a PostgreSQL 15 cluster with WAL archiving, a base backup (pg_basebackup), two
# decisions recorded through the API a few seconds apart, and a restore of the base backup plus the archived WAL to a
# moment between them. The restored database must hold the first decision and not the second. Loopback only, about a
# minute; the report goes to ops/results/pitr-drill-<date>.md.
#
# Usage: ops/pitr-drill.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
source scripts/prerequisites.sh
ensure_dotnet
ensure_postgres_server
ensure_tour_tools
bin="$(postgres_bin)"
primary_port=25440 restored_port=25441 api_port=28085
for port in $primary_port $restored_port $api_port; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "Port $port is in use; the drill needs it free." >&2; exit 1; fi
done

work="$(mktemp -d /var/tmp/consent-pitr.XXXXXX)"
as_db() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$work"
api_pid=""
cleanup() {
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null
  as_db "$bin/pg_ctl" -D "$work/primary" -m immediate stop >/dev/null 2>&1 || true
  as_db "$bin/pg_ctl" -D "$work/restored" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
sql() { as_db "$bin/psql" -h 127.0.0.1 -p "$1" -U postgres -d "${3:-consent}" -tAqc "$2"; }

echo "==> A primary with WAL archiving on 127.0.0.1:$primary_port"
as_db mkdir -p "$work/archive"
as_db "$bin/initdb" -D "$work/primary" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
cat >>"$work/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $primary_port
unix_socket_directories = '$work'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $work/archive/%f && cp %p $work/archive/%f'
CONF
as_db "$bin/pg_ctl" -D "$work/primary" -l "$work/primary.log" -w start >/dev/null
sql $primary_port "CREATE DATABASE consent" postgres
sql $primary_port "CREATE ROLE consent_app LOGIN" postgres

echo "==> Migrating, seeding and starting the API"
dotnet build src/ConsentApi/ConsentApi.csproj -c Release --nologo -v quiet >/dev/null
cd src/ConsentApi/bin/Release/net10.0
export Bootstrap__AdminApiKey="pitr-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
key="$(Database__RuntimeRole=consent_app ConnectionStrings__ConsentDb="Host=127.0.0.1;Port=$primary_port;Database=consent;Username=postgres" \
  dotnet ConsentApi.dll seed-demo | grep -Eo 'cak_[A-Za-z0-9_-]+' | head -1)"
ConnectionStrings__ConsentDb="Host=127.0.0.1;Port=$primary_port;Database=consent;Username=consent_app" \
  dotnet ConsentApi.dll --urls "http://127.0.0.1:$api_port" >"$work/api.log" 2>&1 &
api_pid=$!
cd "$root"
api="http://127.0.0.1:$api_port"
for _ in $(seq 60); do curl -sf "$api/health/ready" >/dev/null && break; sleep 1; done

echo "==> Base backup (pg_basebackup)"
as_db "$bin/pg_basebackup" -h 127.0.0.1 -p $primary_port -U postgres -D "$work/base" -X stream -c fast
backup_label_lsn=$(sql $primary_port "SELECT pg_current_wal_lsn()")

# Two decisions after the backup, through the API: a guardian withdraws photo on the website, then film.
school=$(curl -sf "$api/v1/schools" -H "X-Api-Key: $key" | jq -r '.items[0].id')
pupil=$(curl -sf "$api/v1/schools/$school/pupils?status=active&limit=1" -H "X-Api-Key: $key" | jq -r '.items[0].id')
grant=$(curl -sf "$api/v1/pupils/$pupil/consents" -H "X-Api-Key: $key" | jq -c '[.items[] | .decisions[] | select(.guardianId != null)][0]')
decide() { # media-type → decision id
  curl -sf -X POST "$api/v1/pupils/$pupil/decisions" -H "X-Api-Key: $key" -H 'Content-Type: application/json' -d "{
    \"formVersionId\":$(jq .formVersionId <<<"$grant"),\"decidedBy\":\"guardian\",\"guardianId\":$(jq .guardianId <<<"$grant"),
    \"method\":\"paper\",\"items\":[{\"mediaType\":\"$1\",\"channel\":\"website\",\"outcome\":\"refused\"}]}" | jq -r '.decisions[0].id'
}
first=$(decide photo)
first_at=$(sql $primary_port "SELECT recorded_at FROM decisions WHERE id = '$first'")
sleep 2
target=$(sql $primary_port "SELECT now()")
sleep 2
second=$(decide film)
second_at=$(sql $primary_port "SELECT recorded_at FROM decisions WHERE id = '$second'")
# Close the WAL segment holding the second decision, so that it is archived as well: the restore must stop before it
# by its target time, not by a lack of WAL.
segment=$(sql $primary_port "SELECT pg_walfile_name(pg_switch_wal())")
for _ in $(seq 30); do [ -f "$work/archive/$segment" ] && break; sleep 1; done
[ -f "$work/archive/$segment" ] || { echo "WAL segment $segment was not archived" >&2; exit 1; }
on_primary=$(sql $primary_port "SELECT count(*) FROM decisions WHERE id IN ('$first', '$second')")

echo "==> Restoring the base backup and the archived WAL to $target"
as_db cp -a "$work/base" "$work/restored"
cat >>"$work/restored/postgresql.conf" <<CONF
port = $restored_port
archive_mode = off
restore_command = 'cp $work/archive/%f %p'
recovery_target_time = '$target'
recovery_target_action = 'promote'
CONF
as_db touch "$work/restored/recovery.signal"
as_db "$bin/pg_ctl" -D "$work/restored" -l "$work/restored.log" -w start >/dev/null
for _ in $(seq 60); do [ "$(sql $restored_port "SELECT pg_is_in_recovery()")" = "f" ] && break; sleep 1; done
has_first=$(sql $restored_port "SELECT count(*) FROM decisions WHERE id = '$first'")
has_second=$(sql $restored_port "SELECT count(*) FROM decisions WHERE id = '$second'")
stopped=$(grep -Eo "recovery stopping before commit of transaction [0-9]+, time [^$]*" "$work/restored.log" | head -1 || true)

mkdir -p ops/results
report="ops/results/pitr-drill-$(date -u +%Y-%m-%d-%H%M).md"
{
  echo "# Point-in-time recovery drill, $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo
  echo "\`ops/pitr-drill.sh\`: PostgreSQL $(sql $primary_port "SHOW server_version" | cut -d' ' -f1), base backup by pg_basebackup (at WAL $backup_label_lsn), WAL archived by archive_command, restored with restore_command and recovery_target_time."
  echo
  echo "| | decision | recorded at | on the primary | in the restore to $target |"
  echo "|---|---|---|--:|--:|"
  echo "| first | \`$first\` | $first_at | yes | $([ "$has_first" = 1 ] && echo yes || echo '**no**') |"
  echo "| second | \`$second\` | $second_at | yes | $([ "$has_second" = 0 ] && echo no || echo '**yes**') |"
  echo
  echo "Both decisions were on the primary ($on_primary of 2). The restored server's log: \`${stopped:-no stop line}\`."
} >"$report"
cat "$report"
[ "$on_primary" = 2 ] && [ "$has_first" = 1 ] && [ "$has_second" = 0 ]
