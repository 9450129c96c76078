#!/usr/bin/env bash
# The README's journey: a council and an organisation, from the operator's first key to an offer on the council's
# page. Runs against the server `make run` starts (demo data loaded); needs curl and jq. CI runs it too.
set -euo pipefail
API=${API:-http://127.0.0.1:8000}
CLI=${CLI:-.venv/bin/covenant-registry}
post() { curl -sS --fail-with-body -X POST "$API$1" -H 'Content-Type: application/json' "${@:2}"; }

# 1. The registry operator's first key (printed once), from the command line on the server.
OPERATOR=$($CLI create-operator-key)

# 2. The operator adds a council and issues its officers a key.
AUTHORITY=$(post /v1/authorities -H "Authorization: Bearer $OPERATOR" \
  -d '{"name": "Cumberland Council", "gss_code": "E06000063", "region": "North West"}' | jq -r .id)
OFFICER=$(post /v1/keys -H "Authorization: Bearer $OPERATOR" \
  -d "{\"name\": \"Care leavers team\", \"authority_id\": \"$AUTHORITY\"}" | jq -r .key)

# 3. An officer opens a covenant with its priorities.
post /v1/covenants -H "Authorization: Bearer $OFFICER" -d '{
  "slug": "cumberland-care-leavers", "title": "Cumberland Care Leavers Covenant", "status": "open",
  "priorities": [{"code": "EET", "title": "Education, training and employment"}]}' | jq -r .slug

# 4. An organisation registers (no key needed; it starts pending) and keeps its first key.
REGISTRATION=$(post /v1/signatories -d '{
  "name": "Eden Valley Bakery", "sector": "private", "organisation_type": "business", "size_band": "small",
  "companies_house_number": "07654321", "areas": ["E06000063"], "public_contact": "jobs@bakery.example.org",
  "contact": {"name": "Priya Shah", "email": "priya@bakery.example.org"}}')
ORG=$(echo "$REGISTRATION" | jq -r .api_key.key)
SIGNATORY=$(echo "$REGISTRATION" | jq -r .signatory.id)

# 5. It starts a pledge, adds a commitment and submits. Idempotency-Key makes a retry safe.
PLEDGE=$(post /v1/pledges -H "Authorization: Bearer $ORG" -H "Idempotency-Key: journey-$SIGNATORY" \
  -d '{"covenant": "cumberland-care-leavers", "statement": "We will offer care leavers a paid apprenticeship."}' \
  | jq -r .id)
post "/v1/pledges/$PLEDGE/commitments" -H "Authorization: Bearer $ORG" -d '{
  "priority": "EET", "offer_type": "apprenticeship", "title": "Paid bakery apprenticeship",
  "eligibility": {"min_age": 16, "max_age": 24}, "areas": ["E06000063"],
  "capacity": {"places": 2, "period": "per_year"},
  "how_to_access": {"text": "Ask your personal adviser to email us, or apply and mention the covenant."}}' | jq -r .id
post "/v1/pledges/$PLEDGE/submit" -H "Authorization: Bearer $ORG" | jq -r .status

# 6. The officer sees it in the review queue, verifies the organisation and approves the pledge.
curl -sS --fail-with-body "$API/v1/covenants/cumberland-care-leavers/pledges?status=submitted" \
  -H "Authorization: Bearer $OFFICER" | jq -r '.items[].id'
post "/v1/signatories/$SIGNATORY/verify" -H "Authorization: Bearer $OFFICER" | jq -r .status
post "/v1/pledges/$PLEDGE/approve" -H "Authorization: Bearer $OFFICER" | jq -r .status

# 7. It is public: the council's page lists it.
curl -sS --fail-with-body "$API/v1/commitments?covenant=cumberland-care-leavers" | jq -r '.items[].title'
