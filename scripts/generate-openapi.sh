#!/usr/bin/env bash
# Regenerates the committed OpenAPI document from the code: openapi/consent-api.v1.json.
# A test fails while the committed copy differs from what the app serves, so run this after changing the contract.
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet tool restore >/dev/null
dotnet build src/ConsentApi/ConsentApi.csproj -c Release --nologo -v quiet >/dev/null
# 3.1 as OpenApiSetup.SpecVersion serves it (for webhooks). The CLI starts Program up to Build(): it needs no database, only a well-formed connection string.
ConnectionStrings__ConsentDb="Host=localhost;Database=unused" \
  dotnet swagger tofile --openapiversion 3.1 --output openapi/consent-api.v1.json \
  src/ConsentApi/bin/Release/net10.0/ConsentApi.dll v1
echo "Wrote openapi/consent-api.v1.json"
