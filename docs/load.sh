#!/usr/bin/env bash
# Load figures on this machine: approved JSON of a 100-clause bilingual
# guideline with a valid integration token, 304 revalidation, and a bare Gin
# handler returning {"status":"ok"} (consenso-load -serve-bare) in the same
# run; then 1,000 live streams and the server's peak memory. Needs wrk (apt-get install wrk), jq and curl. Loopback only,
# bounded: 10 s per measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "install wrk: apt-get install -y wrk" >&2; exit 1; }
dir=$(mktemp -d)
port=18090
API=http://127.0.0.1:$port
go build -o "$dir/consenso" ./api/cmd/consenso
go build -o "$dir/consenso-load" ./api/cmd/consenso-load
CONSENSO_DATABASE_URL=$dir/consenso.db CONSENSO_ADDR=127.0.0.1:$port CONSENSO_LOG_LEVEL=warn CONSENSO_STREAMS_PER_USER=2000 \
  CONSENSO_ADMIN_EMAIL=admin@load.test CONSENSO_ADMIN_PASSWORD=load-test-password \
  "$dir/consenso" -demo >"$dir/out" 2>"$dir/err" &
pid=$!
"$dir/consenso-load" -serve-bare 127.0.0.1:18091 &
barepid=$!
trap 'kill $pid $barepid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do curl -sf $API/healthz >/dev/null && break; sleep 0.2; done

json() { curl -sf -H 'Content-Type: application/json' "$@"; }
ADMIN=$(json -X POST $API/api/v1/auth/login -d '{"email":"admin@load.test","password":"load-test-password"}' | jq -r .access_token)
FAC=$(json -X POST $API/api/v1/auth/login -d '{"email":"facilitator@demo.consenso.local","password":"consenso-demo-2026"}' | jq -r .access_token)
# A 100-clause bilingual guideline, agreed clause by clause and adopted.
HEAD=$(json -X POST $API/api/v1/auth/login -d '{"email":"andrea.bz@demo.consenso.local","password":"consenso-demo-2026"}' | jq -r .access_token)
GID=$(json -X POST $API/api/v1/guidelines -H "Authorization: Bearer $FAC" -d '{"title":"Load test guidelines","languages":["en","es"],"participants":["BZ"]}' | jq -r .id)
EN="States shall ensure that consular officials identify, protect and assist victims of trafficking in persons promptly, in a language they understand, with full respect for their rights, their privacy and their safety, and in coordination with the competent authorities of the country of destination and of the country of origin, including the referral to shelter, medical care, legal aid and psychosocial support."
ES="Los Estados velarán por que los funcionarios consulares identifiquen, protejan y asistan sin demora a las víctimas de trata de personas, en un idioma que comprendan, con pleno respeto de sus derechos, su privacidad y su seguridad, y en coordinación con las autoridades competentes del país de destino y del país de origen, incluida la referencia a albergue, atención médica, asistencia jurídica y apoyo psicosocial."
for s in 1 2 3 4 5; do
  SID=$(json -X POST $API/api/v1/guidelines/$GID/sections -H "Authorization: Bearer $FAC" -d "{\"title\":\"Chapter $s\"}" | jq -r .id)
  for c in $(seq 1 20); do
    CID=$(json -X POST $API/api/v1/guidelines/$GID/clauses -H "Authorization: Bearer $FAC" -d "{\"section_id\":\"$SID\",\"text\":{\"en\":\"$EN ($s.$c)\",\"es\":\"$ES ($s.$c)\"}}" | jq -r .id)
    json -X POST $API/api/v1/clauses/$CID/open -H "Authorization: Bearer $FAC" >/dev/null
    json -X PUT $API/api/v1/clauses/$CID/positions/BZ -H "Authorization: Bearer $HEAD" -d '{"stance":"agree","clause_version":1}' >/dev/null
    json -X POST $API/api/v1/clauses/$CID/lock -H "Authorization: Bearer $FAC" >/dev/null
  done
done
json -X POST $API/api/v1/guidelines/$GID/drafts -H "Authorization: Bearer $FAC" -d '{"label":"load"}' >/dev/null
json -X POST $API/api/v1/guidelines/$GID/drafts/1/adopt -H "Authorization: Bearer $FAC" >/dev/null
CLIENT=$(json -X POST $API/api/v1/integrations -H "Authorization: Bearer $ADMIN" -d '{"name":"load"}')
TOKEN=$(json -X POST $API/api/v1/auth/token -d "{\"grant_type\":\"client_credentials\",\"client_id\":$(jq .client_id <<<"$CLIENT"),\"client_secret\":$(jq .client_secret <<<"$CLIENT")}" | jq -r .access_token)
ETAG=$(curl -sf -o /dev/null -D - $API/api/v1/guidelines/$GID/approved -H "Authorization: Bearer $TOKEN" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')

run() { wrk -t2 -c64 -d10s "$@" | awk '/Requests\/sec/{print $2}'; }
bare=$(run http://127.0.0.1:18091/)
healthz=$(run $API/healthz)
size=$(curl -sf $API/api/v1/guidelines/$GID/approved -H "Authorization: Bearer $TOKEN" | wc -c)
echo "approved JSON of 100 bilingual clauses: $size bytes"

approved=$(run -H "Authorization: Bearer $TOKEN" $API/api/v1/guidelines/$GID/approved)
approvedgz=$(run -H "Authorization: Bearer $TOKEN" -H "Accept-Encoding: gzip" $API/api/v1/guidelines/$GID/approved)
notmod=$(run -H "Authorization: Bearer $TOKEN" -H "If-None-Match: $ETAG" $API/api/v1/guidelines/$GID/approved)
printf 'bare gin handler         %10.0f req/s\n' "$bare"
printf 'consenso /healthz        %10.0f req/s  (%.0f%% of bare: our middleware)\n' "$healthz" "$(echo "100*$healthz/$bare" | bc -l)"
printf 'approved JSON (token)    %10.0f req/s  (%.0f%% of bare)\n' "$approved" "$(echo "100*$approved/$bare" | bc -l)"
printf 'approved JSON, gzip      %10.0f req/s  (%.0f%% of bare)\n' "$approvedgz" "$(echo "100*$approvedgz/$bare" | bc -l)"
printf '304 revalidation         %10.0f req/s  (%.0f%% of bare)\n' "$notmod" "$(echo "100*$notmod/$bare" | bc -l)"

# 1,000 live streams: time for a new event to reach every one, and the
# server's peak memory.
"$dir/consenso-load" -api $API -token "$FAC" -guideline "$GID" -streams 1000
printf 'server peak RSS           %10s\n' "$(awk '/VmHWM/{print $2, $3}' /proc/$pid/status)"
