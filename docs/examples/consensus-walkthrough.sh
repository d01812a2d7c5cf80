#!/usr/bin/env bash
# A negotiation from first reading to consensus, as docs/consensus.md tells it:
# eight countries, one reservation, one objection, a compromise merged from a
# delegation's amendment, and a silence procedure.
#
# Against a running server (an empty database, its first admin known, and a
# minimum silence procedure of a second, CONSENSO_MIN_SILENCE=1s, since the
# silence procedure below lasts seconds, not the 24 hours of a real session):
#   API=http://localhost:8080 ADMIN_EMAIL=admin@example.org ADMIN_PASSWORD='…' \
#     docs/examples/consensus-walkthrough.sh
# Or let the script build and start a throwaway server on a temporary SQLite
# database (from the repository root):
#   docs/examples/consensus-walkthrough.sh --serve
#
# Needs bash, curl, jq and GNU date. Every step checks its answer; the script
# exits non-zero at the first surprise.
set -euo pipefail

ADMIN_EMAIL=${ADMIN_EMAIL:-admin@example.org}
ADMIN_PASSWORD=${ADMIN_PASSWORD:-correct horse battery staple}

if [ "${1:-}" = --serve ]; then
	tmp=$(mktemp -d)
	go build -o "$tmp/consenso" ./api/cmd/consenso
	port=$((20000 + RANDOM % 20000))
	CONSENSO_ADDR=127.0.0.1:$port CONSENSO_DATABASE_URL=$tmp/consenso.db \
		CONSENSO_ADMIN_EMAIL=$ADMIN_EMAIL CONSENSO_ADMIN_PASSWORD=$ADMIN_PASSWORD \
		CONSENSO_SILENCE_SWEEP=200ms CONSENSO_MIN_SILENCE=1s CONSENSO_LOG_LEVEL=warn \
		"$tmp/consenso" >"$tmp/server.log" 2>&1 &
	server=$!
	trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$tmp"' EXIT
	API=http://127.0.0.1:$port
	for _ in $(seq 100); do
		curl -sf "$API/readyz" >/dev/null && break
		sleep 0.1
	done
fi
API=${API:-http://localhost:8080}
JSON='Content-Type: application/json'

# call METHOD PATH TOKEN [BODY] [more curl arguments]: prints the answer's
# body; fails unless the status is 2xx.
call() {
	local method=$1 path=$2 token=$3 body=${4:-}
	shift 3
	[ $# -gt 0 ] && shift
	local args=(-sS -X "$method" "$API$path" -H "Authorization: Bearer $token" -w '\n%{http_code}' "$@")
	[ -n "$body" ] && args+=(-H "$JSON" -d "$body")
	local out code
	out=$(curl "${args[@]}")
	code=${out##*$'\n'}
	out=${out%$'\n'*}
	if [ "${code:0:1}" != 2 ]; then
		echo "$method $path → $code: $out" >&2
		return 1
	fi
	printf '%s\n' "$out"
}

# refused STATUS CODE METHOD PATH TOKEN [BODY]: the request must fail with
# that HTTP status and problem code.
refused() {
	local want=$1 code=$2 method=$3 path=$4 token=$5 body=${6:-'{}'}
	local out
	out=$(curl -sS -X "$method" "$API$path" -H "Authorization: Bearer $token" -H "$JSON" -d "$body" -w '\n%{http_code}')
	if [ "${out##*$'\n'}" != "$want" ] || [ "$(jq -r .code <<<"${out%$'\n'*}")" != "$code" ]; then
		echo "$method $path: wanted $want $code, got: $out" >&2
		return 1
	fi
	echo "refused as expected: $want $code"
}

# check WHAT ACTUAL EXPECTED
check() {
	if [ "$2" != "$3" ]; then
		echo "$1: got $2, want $3" >&2
		exit 1
	fi
	echo "ok: $1 = $2"
}

login() {
	curl -sS -X POST "$API/api/v1/auth/login" -H "$JSON" \
		-d "{\"email\":\"$1\",\"password\":\"a long enough password\"}" | jq -r .access_token
}

# --- 1. Accounts: the chair (facilitator), eight heads of delegation, a
# Guatemalan and a Panamanian technical officer and an observer from the
# secretariat.
ADMIN=$(curl -sS -X POST "$API/api/v1/auth/login" -H "$JSON" \
	-d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" | jq -r .access_token)
call POST /api/v1/users "$ADMIN" '{"email":"chair@iom.int","name":"Chair","password":"a long enough password","role":"facilitator"}' >/dev/null
CHAIR=$(login chair@iom.int)
declare -A HEAD
for c in BZ CR SV GT HN MX NI PA; do
	call POST /api/v1/users "$ADMIN" "{\"email\":\"head.$c@mfa.example\",\"name\":\"Head of delegation $c\",
		\"password\":\"a long enough password\",\"role\":\"delegate\",\"country\":\"$c\",\"head_of_delegation\":true}" >/dev/null
	HEAD[$c]=$(login "head.$c@mfa.example")
done
call POST /api/v1/users "$ADMIN" '{"email":"officer.gt@minex.example","name":"Technical officer GT","password":"a long enough password","role":"delegate","country":"GT"}' >/dev/null
OFFICER_GT=$(login officer.gt@minex.example)
OFFICER_PA_ID=$(call POST /api/v1/users "$ADMIN" '{"email":"officer.pa@mire.example","name":"Technical officer PA","password":"a long enough password","role":"delegate","country":"PA"}' | jq -r .id)
OFFICER_PA=$(login officer.pa@mire.example)
call POST /api/v1/users "$ADMIN" '{"email":"secretariat@rcm.example","name":"Secretariat","password":"a long enough password","role":"observer"}' >/dev/null
OBSERVER=$(login secretariat@rcm.example)

# --- 2. The chair puts two clauses on the table and opens them.
GID=$(call POST /api/v1/guidelines "$CHAIR" '{"title":{"en":"Regional guidelines for the consular protection of victims of trafficking","es":"Lineamientos regionales para la protección consular de víctimas de trata"},
	"languages":["en","es"],"participants":["BZ","CR","SV","GT","HN","MX","NI","PA"]}' | jq -r .id)
SID=$(call POST "/api/v1/guidelines/$GID/sections" "$CHAIR" '{"title":{"en":"I. Identification","es":"I. Identificación"}}' | jq -r .id)
C1=$(call POST "/api/v1/guidelines/$GID/clauses" "$CHAIR" "{\"section_id\":\"$SID\",\"text\":{
	\"en\":\"Consular officials shall interview presumed victims within 72 hours.\",
	\"es\":\"Los funcionarios consulares entrevistarán a las presuntas víctimas en un plazo de 72 horas.\"}}" | jq -r .id)
C2=$(call POST "/api/v1/guidelines/$GID/clauses" "$CHAIR" "{\"section_id\":\"$SID\",\"text\":{
	\"en\":\"States shall designate a consular focal point on trafficking in persons.\",
	\"es\":\"Los Estados designarán un punto focal consular sobre trata de personas.\"}}" | jq -r .id)
# Positions are refused while a clause is a draft.
refused 409 clause.not_open PUT "/api/v1/clauses/$C1/positions/BZ" "${HEAD[BZ]}" '{"stance":"agree","clause_version":1}'
check "clause 1.1" "$(call POST "/api/v1/clauses/$C1/open" "$CHAIR" | jq -r .status)" open
check "clause 1.2" "$(call POST "/api/v1/clauses/$C2/open" "$CHAIR" | jq -r .status)" open

# --- 3. Delegations comment. Guatemala's officer proposes an amendment;
# Mexico comments on an exact excerpt; the secretariat notes a precedent. The
# Idempotency-Key makes a retried POST safe: the second one replays the first.
AMENDMENT=$(call POST "/api/v1/clauses/$C1/comments" "$OFFICER_GT" '{"kind":"amendment",
	"body":"72 hours is not feasible for consulates far from the border; we propose \"without undue delay\".",
	"proposed_text":{"en":"Consular officials shall interview presumed victims without undue delay.",
	"es":"Los funcionarios consulares entrevistarán a las presuntas víctimas sin demora indebida."}}' \
	-H "Idempotency-Key: gt-amendment-1" | jq -r .id)
AGAIN=$(call POST "/api/v1/clauses/$C1/comments" "$OFFICER_GT" '{"kind":"amendment",
	"body":"72 hours is not feasible for consulates far from the border; we propose \"without undue delay\".",
	"proposed_text":{"en":"Consular officials shall interview presumed victims without undue delay.",
	"es":"Los funcionarios consulares entrevistarán a las presuntas víctimas sin demora indebida."}}' \
	-H "Idempotency-Key: gt-amendment-1" | jq -r .id)
check "retried comment" "$AGAIN" "$AMENDMENT"
call POST "/api/v1/clauses/$C1/comments" "${HEAD[MX]}" '{"kind":"substantive","quote":"presumed victims",
	"body":"Mexico can accept the clause if a reservation on the term \"presumed victims\" is recorded."}' >/dev/null
call POST "/api/v1/clauses/$C1/comments" "$OBSERVER" '{"body":"The 2019 regional protocol used \"without delay\"."}' >/dev/null
check "GT comments on 1.1" "$(call GET "/api/v1/clauses/$C1/comments?country=GT" "$CHAIR" | jq '.items | length')" 1

# --- 4. Positions on version 1: six agree, Mexico with a reservation,
# Guatemala objects.
for c in BZ CR SV HN NI PA; do
	call PUT "/api/v1/clauses/$C1/positions/$c" "${HEAD[$c]}" '{"stance":"agree","clause_version":1}' >/dev/null
done
call PUT "/api/v1/clauses/$C1/positions/MX" "${HEAD[MX]}" '{"stance":"agree_with_reservation","clause_version":1,
	"reservation":"Mexico understands \"presumed victims\" as defined in its General Law on Trafficking."}' >/dev/null
check "after Guatemala's objection" "$(call PUT "/api/v1/clauses/$C1/positions/GT" "${HEAD[GT]}" \
	'{"stance":"object","clause_version":1,"reason":"72 hours cannot be met by our consulates."}' | jq -r .clause_status)" contested
# Only Guatemala's head speaks for Guatemala; a lock needs consensus.
refused 403 auth.forbidden PUT "/api/v1/clauses/$C1/positions/GT" "${HEAD[MX]}" '{"stance":"agree","clause_version":1}'
refused 409 clause.not_consensus POST "/api/v1/clauses/$C1/lock" "$CHAIR"
call GET "/api/v1/guidelines/$GID/consensus" "$CHAIR" | jq -c '.clauses[0] | {number, status, positions, objections}'

# --- 5. The compromise: the chair merges Guatemala's amendment as version 2
# (If-Match with the clause's ETag) and marks the amendment incorporated.
ETAG=$(curl -sS -D - -o /dev/null "$API/api/v1/clauses/$C1" -H "Authorization: Bearer $CHAIR" |
	awk 'tolower($1)=="etag:" {print $2}' | tr -d '\r')
V2=$(call PUT "/api/v1/clauses/$C1/text" "$CHAIR" "{\"note\":\"Compromise: Guatemala's amendment\",
	\"incorporates\":[\"$AMENDMENT\"],\"text\":{
	\"en\":\"Consular officials shall interview presumed victims without undue delay.\",
	\"es\":\"Los funcionarios consulares entrevistarán a las presuntas víctimas sin demora indebida.\"}}" -H "If-Match: $ETAG")
check "version" "$(jq -r .version <<<"$V2")" 2
check "status after the new text" "$(jq -r .status <<<"$V2")" open
check "the amendment" "$(call GET "/api/v1/comments/$AMENDMENT" "$CHAIR" | jq -r .status)" incorporated
# Every earlier position is now stale; a position on version 1 is refused.
check "Belize's position" "$(call GET "/api/v1/clauses/$C1/positions" "$CHAIR" | jq -c '.items[0] | [.stance, .current]')" '["agree",false]'
refused 409 position.version_stale PUT "/api/v1/clauses/$C1/positions/BZ" "${HEAD[BZ]}" '{"stance":"agree","clause_version":1}'

# --- 6. Everyone states a position on version 2 and the chair locks the
# clause. Panama's head is called away: she designates Panama's technical
# officer as alternate, who records Panama's position. Nobody else speaks for
# a country — not the chair, not an admin.
for c in BZ CR SV GT HN NI; do
	call PUT "/api/v1/clauses/$C1/positions/$c" "${HEAD[$c]}" '{"stance":"agree","clause_version":2}' >/dev/null
done
call PUT "/api/v1/clauses/$C1/positions/MX" "${HEAD[MX]}" '{"stance":"agree_with_reservation","clause_version":2,
	"reservation":"Mexico understands \"presumed victims\" as defined in its General Law on Trafficking."}' >/dev/null
refused 403 auth.forbidden PUT "/api/v1/clauses/$C1/positions/PA" "$CHAIR" '{"stance":"agree","clause_version":2}'
refused 403 auth.forbidden PUT "/api/v1/clauses/$C1/positions/PA" "$OFFICER_PA" '{"stance":"agree","clause_version":2}'
check "Panama's alternate" "$(call PUT /api/v1/countries/PA/alternate "${HEAD[PA]}" "{\"user_id\":\"$OFFICER_PA_ID\"}" | jq -r .alternate_id)" "$OFFICER_PA_ID"
check "after Panama's position" "$(call PUT "/api/v1/clauses/$C1/positions/PA" "$OFFICER_PA" \
	'{"stance":"agree","clause_version":2}' | jq -r '.clause_status + " (" + .recorded_as + ")"')" "consensus (alternate)"
check "clause 1.1" "$(call POST "/api/v1/clauses/$C1/lock" "$CHAIR" | jq -r .status)" agreed
refused 409 clause.agreed PUT "/api/v1/clauses/$C1/positions/GT" "${HEAD[GT]}" '{"stance":"object","clause_version":2,"reason":"late"}'

# --- 7. A silence procedure on clause 1.2: Belize and Costa Rica agree, the
# chair sets a deadline, nobody objects; when it passes the clause is agreed
# and the six silent countries are recorded as deemed to agree.
call PUT "/api/v1/clauses/$C2/positions/BZ" "${HEAD[BZ]}" '{"stance":"agree","clause_version":1}' >/dev/null
call PUT "/api/v1/clauses/$C2/positions/CR" "${HEAD[CR]}" '{"stance":"agree","clause_version":1}' >/dev/null
# In a real session the deadline is days away: a server refuses anything
# shorter than CONSENSO_MIN_SILENCE (24 h unless configured; 1 s here).
DEADLINE=$(date -u -d '+3 seconds' +%Y-%m-%dT%H:%M:%SZ)
check "clause 1.2" "$(call POST "/api/v1/clauses/$C2/silence" "$CHAIR" "{\"deadline\":\"$DEADLINE\"}" | jq -r .status)" silence
for _ in $(seq 100); do # no request is needed: the server concludes it on time
	[ "$(call GET "/api/v1/clauses/$C2" "$OBSERVER" | jq -r .status)" = agreed ] && break
	sleep 0.1
done
check "clause 1.2 after the deadline" "$(call GET "/api/v1/clauses/$C2" "$OBSERVER" | jq -r .status)" agreed
check "deemed to agree" "$(call GET "/api/v1/clauses/$C2/positions" "$CHAIR" | jq -c '[.items[] | select(.deemed) | .country]')" \
	'["GT","HN","MX","NI","PA","SV"]'

# --- 8. Where consensus stands: nothing blocks adoption; Mexico's
# reservation will be a footnote of the adopted text.
MATRIX=$(call GET "/api/v1/guidelines/$GID/consensus" "${HEAD[HN]}")
jq -c '.clauses[] | {number, status, version, reservations, deemed}' <<<"$MATRIX"
check "blocking" "$(jq -c .blocking <<<"$MATRIX")" '[]'
check "ready for adoption" "$(jq -r .ready_for_adoption <<<"$MATRIX")" true
echo "walkthrough complete"
