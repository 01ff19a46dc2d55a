#!/usr/bin/env bash
# The README's five-minute tour as one script: the README quotes its commands, and a test runs it against a live API
# (tests/ConsentApi.Tests/Features/Tour/TourTests.cs). Needs curl and jq.
#   API=http://localhost:5080 OPERATOR=<platform operator key> DEMO=<demo API key> docs/tour.sh
# Lines starting with `expect` are the script's own checks; the README leaves them out.
set -euo pipefail
: "${API:=http://localhost:5080}" "${OPERATOR:?the platform operator key printed by ./run.sh}" "${DEMO:?the demo API key printed by ./run.sh}"
command -v jq >/dev/null || { echo "The tour needs jq (apt-get install jq)." >&2; exit 1; }
# curl fails on an HTTP error status (-f), but still shows the Problem Details it got (--fail-with-body).
curl() { command curl --fail-with-body --silent --show-error "$@"; }
expect() { jq -e "$1" >/dev/null <<<"$2" || { echo "tour: expected $1 in: $2" >&2; exit 1; }; }

# 1. A school board joins: the response holds its first admin key, shown this once.
ORG=$(curl -X POST $API/v1/organisations -H "X-Api-Key: $OPERATOR" -H 'Content-Type: application/json' \
  -d '{"name":"Stichting Primair Onderwijs Zuid"}')
ADMIN=$(jq -r .adminClient.apiKey <<<"$ORG")
expect '.adminClient.apiKey | startswith("cak_")' "$ORG"

# 2. The admin adds a school and a key for the school's admin system (roster scopes, this school only).
SCHOOL=$(curl -X POST $API/v1/schools -H "X-Api-Key: $ADMIN" -H 'Content-Type: application/json' \
  -d '{"name":"OBS Het Kompas","brinCode":"34CD"}' | jq -r .id)
SYNC=$(curl -X POST $API/v1/api-clients -H "X-Api-Key: $ADMIN" -H 'Content-Type: application/json' \
  -d "{\"name\":\"ParnasSys koppeling\",\"scopes\":[\"roster:read\",\"roster:write\"],\"schoolIds\":[\"$SCHOOL\"]}" | jq -r .apiKey)

# 3. The admin system pushes its roster: groups, pupils and guardians, matched by its own ids.
SYNCED=$(curl -X PUT $API/v1/schools/$SCHOOL/roster -H "X-Api-Key: $SYNC" -H 'Content-Type: application/json' -d '{
  "groups":    [{"externalId":"G5B","name":"Groep 5b","schoolYear":"2026-2027"}],
  "pupils":    [{"externalId":"LL1001","displayName":"Sanne de Vries","dateOfBirth":"2018-03-14","groupExternalId":"G5B",
                 "guardians":[{"externalId":"OV2001","hasParentalAuthority":true},{"externalId":"OV2002","hasParentalAuthority":true}]}],
  "guardians": [{"externalId":"OV2001","displayName":"Marieke de Vries"},{"externalId":"OV2002","displayName":"Joost de Vries"}]
}')
echo "$SYNCED" | jq -c '{groups, pupils, guardians}'
# → {"groups":{"created":1,...},"pupils":{"created":1,"updated":0,"left":0,"unchanged":0},...}
# Send it again and everything is "unchanged"; leave a pupil out and they are marked "left" (never deleted).
expect '.pupils.created == 1 and .groups.created == 1' "$SYNCED"

# 4. Read it back: the school's pupils, one pupil with their guardians, and the audit trail of the sync.
SANNE=$(curl "$API/v1/schools/$SCHOOL/pupils?status=active&limit=50" -H "X-Api-Key: $SYNC" | jq -r '.items[0].id')
curl "$API/v1/pupils/$SANNE" -H "X-Api-Key: $SYNC" | jq -c '{displayName, guardians: [.guardians[] | {displayName, hasParentalAuthority}]}'
AUDIT=$(curl "$API/v1/audit-events?action=SyncRoster" -H "X-Api-Key: $ADMIN")
expect '.items | length == 1' "$AUDIT"

# 5. Consent, in the demo organisation ./run.sh seeded: a published form, and answers from most families.
DEMO_SCHOOL=$(curl $API/v1/schools -H "X-Api-Key: $DEMO" | jq -r '.items[0].id')
PUPILS=$(curl "$API/v1/schools/$DEMO_SCHOOL/pupils?status=active&limit=50" -H "X-Api-Key: $DEMO" | jq -c '[.items[].id]')
# May these pupils appear in a photo on social media, right now? One answer, and each pupil's state and reason.
CHECK=$(curl -X POST $API/v1/publication-checks -H "X-Api-Key: $DEMO" -H 'Content-Type: application/json' \
  -d "{\"pupilIds\":$PUPILS,\"mediaType\":\"photo\",\"channel\":\"social-media\"}")
echo "$CHECK" | jq -c '{allowed, pupils: [.pupils[] | {state, reason}]}'
# → {"allowed":false,"pupils":[{"state":"granted","reason":"granted-by-guardian"},...,{"state":"refused",...},...]}
expect '.allowed == false and any(.pupils[]; .state == "granted") and any(.pupils[]; .state == "refused")' "$CHECK"

# 6. A parent withdraws, in one call like granting. The pupil, the guardian and the form version come from the
#    pupil's consent matrix: the decision that grants photo on social media today.
PUPIL=$(jq -r '[.pupils[] | select(.allowed)][0].pupilId' <<<"$CHECK")
GRANT=$(curl "$API/v1/pupils/$PUPIL/consents" -H "X-Api-Key: $DEMO" \
  | jq -c '.items[] | select(.mediaType == "photo" and .channel == "social-media") | .decisions[0]')
GUARDIAN=$(jq -r .guardianId <<<"$GRANT")
VERSION=$(jq -r .formVersionId <<<"$GRANT")
BEFORE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
curl -X POST $API/v1/pupils/$PUPIL/decisions -H "X-Api-Key: $DEMO" -H 'Content-Type: application/json' -d "{
  \"formVersionId\":\"$VERSION\",\"decidedBy\":\"guardian\",\"guardianId\":\"$GUARDIAN\",\"method\":\"parent-app\",
  \"items\":[{\"mediaType\":\"photo\",\"channel\":\"social-media\",\"outcome\":\"refused\"}]}" | jq -c '{batchId, recorded: [.decisions[] | .outcome]}'
# The very next check says no.
AFTER=$(curl -X POST $API/v1/publication-checks -H "X-Api-Key: $DEMO" -H 'Content-Type: application/json' \
  -d "{\"pupilIds\":[\"$PUPIL\"],\"mediaType\":\"photo\",\"channel\":\"social-media\"}")
echo "$AFTER" | jq -c '.pupils[0]'
# → {"pupilId":"…","state":"refused","reason":"refused-by-guardian","allowed":false}
expect '.allowed == false and .pupils[0].state == "refused"' "$AFTER"

# 7. Proof: the state just before the withdrawal (at=), and every decision with the hash of the form text it answered.
PAST=$(curl "$API/v1/pupils/$PUPIL/consents?at=$BEFORE" -H "X-Api-Key: $DEMO" \
  | jq -c '.items[] | select(.mediaType == "photo" and .channel == "social-media") | {state, reason}')
echo "$PAST"
# → {"state":"granted","reason":"granted-by-guardian"}
expect '.state == "granted"' "$PAST"
curl "$API/v1/pupils/$PUPIL/consents/history" -H "X-Api-Key: $DEMO" \
  | jq -c '.items[] | select(.mediaType == "photo" and .channel == "social-media") | {outcome, givenAt, formContentHash}'

# 8. The class sheet to print (or Accept: text/csv, or application/json).
GROUP=$(curl "$API/v1/schools/$DEMO_SCHOOL/groups" -H "X-Api-Key: $DEMO" | jq -r '.items[0].id')
curl -H "X-Api-Key: $DEMO" -H 'Accept: text/html' $API/v1/schools/$DEMO_SCHOOL/groups/$GROUP/consent-overview > klas.html
expect 'test("<html")' "$(jq -Rs . < klas.html)"
echo "tour: done"
