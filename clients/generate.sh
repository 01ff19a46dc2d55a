#!/usr/bin/env bash
# Generates the TypeScript and C# clients from the committed contract, openapi/consent-api.v1.json, then checks the
# generated type names. The generated code is not committed: it is made again from whatever the document says.
#
#   clients/generate.sh            generate both clients and check their type names
#
# Exit codes: 0 done; 1 a generator failed; 2 generated, but the type-name check found duplicate, numbered or made-up
# names (each an inline schema that wants a name in the contract). Needs `npm ci` and `dotnet tool restore` in the root.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

document="openapi/consent-api.v1.json"
ts_out="clients/typescript/generated/consent-api.ts"
cs_out="clients/csharp/ConsentApi.Client/Generated"
log_dir="$(mktemp -d)"   # generator logs and Kiota's input
trap 'rm -rf "$log_dir"' EXIT

# Runs a generator with its chatter in a log that is shown only when it fails.
quietly() {
  local name="$1"
  shift
  if ! "$@" >"$log_dir/$name.log" 2>&1; then
    echo "clients/generate.sh: $name failed:" >&2
    cat "$log_dir/$name.log" >&2
    exit 1
  fi
}

echo "==> TypeScript: openapi-typescript $(node -p 'require("openapi-typescript/package.json").version') → $ts_out"
mkdir -p "$(dirname "$ts_out")"
# --root-types: every schema is also exported by its own name (ConsentChangedEvent), as integrators import it;
# --enum-values: every enum's values as an array too (consentStateValues), to check what a webhook body holds.
quietly openapi-typescript npx --no-install openapi-typescript "$document" -o "$ts_out" \
  --root-types --root-types-no-schema-prefix --enum-values

echo "==> C#: Kiota $(dotnet tool list --local | awk '$1 == "microsoft.openapi.kiota" { print $2 }') → $cs_out"
# Kiota reports usage unless told not to, and asks GitHub for a newer release at most once an hour. Its switch for the
# latter (Update:Disabled) is not read from the environment in 1.38, so it is given a temp directory whose record of the
# last check lies in the future: generation then makes no network call at all.
export KIOTA_CLI_TELEMETRY_OPTOUT=true KIOTA_TUTORIAL_ENABLED=false
mkdir -p "$log_dir/tmp/kiota/update"
echo "9999-12-31T00:00:00.0000000+00:00" > "$log_dir/tmp/kiota/update/timestamp.txt"
# Kiota generates only what operations reach; the webhook events' schemas are handed to it as webhooks (see the script).
node clients/kiota-input.mjs "$document" "$log_dir/kiota-input.json"
TMPDIR="$log_dir/tmp" quietly kiota dotnet tool run kiota generate --language CSharp \
  --openapi "$log_dir/kiota-input.json" --output "$cs_out" --class-name ConsentApiClient --namespace-name ConsentApi.Client \
  --exclude-backward-compatible --clean-output --log-level Warning
# The lock file records the absolute path of the document it was made from; nothing reads it here.
rm -f "$cs_out/kiota-lock.json"

echo "==> Checking generated type names"
node clients/check-type-names.mjs "$ts_out" "$cs_out"
