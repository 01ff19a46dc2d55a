#!/usr/bin/env bash
# Runs every test against a throwaway PostgreSQL the tests start themselves (or ConnectionStrings__ConsentDb when set),
# including the OpenAPI drift check and the generated clients (clients/generate.sh, run by the tests), then lints the
# OpenAPI document. Ends with: tests: N passed, N failed, N skipped
set -uo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh

ensure_dotnet
ensure_postgres_server
ensure_chromium
ensure_pdf_tools
ensure_node
ensure_tour_tools

results=".test-results"
rm -rf "$results"
mkdir -p "$results"

passed=0 failed=0 skipped=0

# The client tests generate, compile and run the clients (openapi-typescript, tsc, tsx, Kiota); the lint needs Spectral.
echo "==> Installing the contract tooling (npm ci, dotnet tool restore)"
if ! npm ci --no-audit --no-fund --loglevel=error >/dev/null || ! dotnet tool restore >/dev/null; then
  echo "Installing the contract tooling failed."
  echo "tests: 0 passed, 1 failed, 0 skipped"
  exit 1
fi

echo "==> Building"
if ! dotnet build ConsentApi.sln -c Release --nologo -v quiet; then
  echo "Build failed."
  echo "tests: 0 passed, 1 failed, 0 skipped"
  exit 1
fi

echo "==> Running tests"
dotnet test ConsentApi.sln -c Release --no-build --nologo \
  --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" \
  --results-directory "$results" 2>&1 | grep -vE '^\s*$' | grep -E 'Passed |Failed |Skipped |Error Message|Expected|But was|error|Total tests|Passed!|Failed!' || true

trx=$(find "$results" -name '*.trx' | head -n 1)
if [ -n "$trx" ]; then
  read -r t_passed t_failed t_skipped < <(python3 - "$trx" <<'PY'
import sys, xml.etree.ElementTree as ET
c = ET.parse(sys.argv[1]).getroot().find('{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}ResultSummary/{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}Counters')
total = int(c.get('total')); passed = int(c.get('passed')); failed = int(c.get('failed')) + int(c.get('error')) + int(c.get('timeout')) + int(c.get('aborted'))
print(passed, failed, total - passed - failed)
PY
)
  passed=$((passed + t_passed)); failed=$((failed + t_failed)); skipped=$((skipped + t_skipped))
else
  echo "No test results were written."
  failed=$((failed + 1))
fi

echo "==> Linting openapi/consent-api.v1.json (Spectral: spectral:oas + OWASP API Top 10)"
if npm run --silent lint:openapi; then
  passed=$((passed + 1))
else
  echo "OpenAPI lint found errors."
  failed=$((failed + 1))
fi

echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ]
