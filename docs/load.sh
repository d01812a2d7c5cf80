#!/usr/bin/env bash
# Load figures on this machine: approved JSON with a valid integration token,
# 304 revalidation, and a bare Gin handler ({"status":"ok"} at /healthz) in
# the same run. Needs wrk (apt-get install wrk), jq and curl. Loopback only,
# bounded: 10 s per measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "install wrk: apt-get install -y wrk" >&2; exit 1; }
dir=$(mktemp -d)
port=18090
API=http://127.0.0.1:$port
go build -o "$dir/consenso" ./api/cmd/consenso
CONSENSO_DATABASE_URL=$dir/consenso.db CONSENSO_ADDR=127.0.0.1:$port CONSENSO_LOG_LEVEL=warn \
  CONSENSO_ADMIN_EMAIL=admin@load.test CONSENSO_ADMIN_PASSWORD=load-test-password \
  "$dir/consenso" -demo >"$dir/out" 2>"$dir/err" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do curl -sf $API/healthz >/dev/null && break; sleep 0.2; done

json() { curl -sf -H 'Content-Type: application/json' "$@"; }
ADMIN=$(json -X POST $API/api/v1/auth/login -d '{"email":"admin@load.test","password":"load-test-password"}' | jq -r .access_token)
FAC=$(json -X POST $API/api/v1/auth/login -d '{"email":"facilitator@demo.consenso.local","password":"consenso-demo-2026"}' | jq -r .access_token)
GID=$(json $API/api/v1/guidelines -H "Authorization: Bearer $FAC" | jq -r '.items[0].id')
CLIENT=$(json -X POST $API/api/v1/integrations -H "Authorization: Bearer $ADMIN" -d '{"name":"load"}')
TOKEN=$(json -X POST $API/api/v1/auth/token -d "{\"grant_type\":\"client_credentials\",\"client_id\":$(jq .client_id <<<"$CLIENT"),\"client_secret\":$(jq .client_secret <<<"$CLIENT")}" | jq -r .access_token)
ETAG=$(curl -sfI $API/api/v1/guidelines/$GID/approved -H "Authorization: Bearer $TOKEN" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')

run() { wrk -t2 -c64 -d10s "$@" | awk '/Requests\/sec/{print $2}'; }
bare=$(run $API/healthz)
approved=$(run -H "Authorization: Bearer $TOKEN" $API/api/v1/guidelines/$GID/approved)
notmod=$(run -H "Authorization: Bearer $TOKEN" -H "If-None-Match: $ETAG" $API/api/v1/guidelines/$GID/approved)
printf 'bare gin /healthz        %10.0f req/s\n' "$bare"
printf 'approved JSON (token)    %10.0f req/s  (%.0f%% of bare)\n' "$approved" "$(echo "100*$approved/$bare" | bc -l)"
printf '304 revalidation         %10.0f req/s  (%.0f%% of bare)\n' "$notmod" "$(echo "100*$notmod/$bare" | bc -l)"
