#!/usr/bin/env bash
# Runs ConsentApi locally: installs PostgreSQL when absent, starts a cluster under .data/ (unless
# ConnectionStrings__ConsentDb is set), applies migrations, seeds a demo organisation, prints a demo API key and serves
# the API with Swagger UI on http://localhost:${PORT:-5080}. Ctrl-C stops the API and the database.
set -euo pipefail
cd "$(dirname "$0")"
stop_database() { :; }
api_pid=""
cleanup() {
  if [ -n "$api_pid" ]; then kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; fi
  stop_database
}
trap cleanup EXIT
trap 'exit 130' INT TERM
source scripts/prerequisites.sh
ensure_dotnet
ensure_tour_tools

port="${PORT:-5080}"
root="$(pwd)"
mkdir -p .data

if [ -z "${ConnectionStrings__ConsentDb:-}" ]; then
  bin="$(postgres_bin)"
  pg_port="${PG_PORT:-55432}"
  data="$root/.data/pg"
  run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

  if [ "$(id -u)" -eq 0 ]; then
    mkdir -p "$data" && chown postgres:postgres "$data" && chmod 700 "$data"
    if ! runuser -u postgres -- test -w "$data"; then
      # The checkout is not reachable by the postgres user: keep the cluster outside it.
      data="/var/tmp/consentapi-$(echo "$root" | md5sum | cut -c1-8)/pg"
      mkdir -p "$data" && chown -R postgres:postgres "$(dirname "$data")" && chmod 700 "$data"
    fi
  fi

  if [ ! -f "$data/PG_VERSION" ]; then
    echo "==> Creating a PostgreSQL cluster in $data"
    run_pg "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! run_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    if (exec 3<>"/dev/tcp/127.0.0.1/$pg_port") 2>/dev/null; then
      echo "Port $pg_port is taken by another server; choose a free one with PG_PORT=..." >&2
      exit 1
    fi
    echo "==> Starting PostgreSQL on 127.0.0.1:$pg_port"
    run_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
      -o "-p $pg_port -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
    stop_database() { echo "==> Stopping PostgreSQL"; run_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true; }
  fi
  run_pg "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'consent'" | grep -q 1 \
    || run_pg "$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres consent
  # The owner (postgres) migrates; the API runs as consent_app, which may only read and append decisions.
  run_pg "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_roles WHERE rolname = 'consent_app'" | grep -q 1 \
    || run_pg "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qc "CREATE ROLE consent_app LOGIN"
  owner_connection="Host=127.0.0.1;Port=$pg_port;Database=consent;Username=postgres"
  export ConnectionStrings__ConsentDb="Host=127.0.0.1;Port=$pg_port;Database=consent;Username=consent_app"
  export Database__RuntimeRole=consent_app
fi

if [ -z "${Bootstrap__AdminApiKey:-}" ]; then
  [ -f .data/bootstrap-key ] || head -c 32 /dev/urandom | base64 | tr -d '/+=\n' > .data/bootstrap-key
  export Bootstrap__AdminApiKey="$(cat .data/bootstrap-key)"
fi

echo "==> Building"
dotnet build src/ConsentApi/ConsentApi.csproj -c Release --nologo -v quiet
# Run from the build output so that appsettings.json is the content root's.
cd src/ConsentApi/bin/Release/net10.0

echo "==> Migrating and seeding the demo organisation"
ConnectionStrings__ConsentDb="${owner_connection:-$ConnectionStrings__ConsentDb}" dotnet ConsentApi.dll seed-demo

cat <<MSG
Platform operator key (creates organisations): $Bootstrap__AdminApiKey
Swagger UI:   http://localhost:$port/swagger
Health:       http://localhost:$port/health/ready
Press Ctrl-C to stop.
MSG
# The document's server is this local API, so that Swagger UI's "Try it out" calls it rather than production; and the
# problem types point at this API's own /problems/ pages, so that following one while trying the API leads somewhere.
OpenApi__ServerUrl="${OpenApi__ServerUrl:-http://localhost:$port}" \
  Problems__TypeBaseUrl="${Problems__TypeBaseUrl:-http://localhost:$port/problems/}" \
  ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}" dotnet ConsentApi.dll --urls "http://localhost:$port" &
api_pid=$!
wait "$api_pid"
