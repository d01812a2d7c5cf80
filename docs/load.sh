#!/usr/bin/env bash
# Load figures of issue 13's first table, on PostgreSQL, in one run, with
# their baselines measured in the same run (absolute figures move between
# runs; the ratios are what is compared):
#
#   approved JSON of a 100-clause bilingual guideline (integration token),
#   its gzip and 304 revalidation, and reading one clause   vs a bare Gin handler
#                                                              returning {"status":"ok"}
#                                                              (the approved JSON also vs
#                                                              one returning its own bytes)
#   creating comments                                        vs pgbench transactions of
#                                                              two INSERTs on the same server
#   the clause list of 100 clauses                           req/s and p99
#
# each path and its baseline measured in LOAD_ROUNDS rounds (3), the table
# giving each ratio's median and range; then 1,000 live streams (time for a
# new event to reach every one) and the server's peak memory. About 7
# minutes. See docs/performance.md.
#
# Needs wrk, pgbench and psql (apt-get install -y wrk postgresql-client), jq,
# curl and bc. The database is LOAD_DATABASE_URL (default: the local test
# server), on a loopback host only; the server runs in a scratch schema and
# pgbench writes into another, both dropped at the end. Requests go to
# loopback ports only, each measurement bounded by LOAD_DURATION (10s).
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
DURATION=${LOAD_DURATION:-10s}
CONNS=${LOAD_CONNECTIONS:-64}        # wrk connections
PGBENCH_CLIENTS=${LOAD_PGBENCH_CLIENTS:-20}
# PostgreSQL shares this machine's cores with the server and wrk: beyond
# about twice the cores, more connections only queue in PostgreSQL.
DB_CONNS=${LOAD_DB_CONNS:-$((4 * $(nproc)))}
ROUNDS=${LOAD_ROUNDS:-3}            # rounds of the paths and their baselines

for tool in wrk pgbench psql jq curl bc; do
  command -v $tool >/dev/null || { echo "missing $tool: apt-get install -y wrk postgresql-client jq curl bc" >&2; exit 1; }
done
host=$(sed -E 's#^postgres(ql)?://([^@/]*@)?(\[[^]]*\]|[^:/?]*).*#\3#' <<<"$DB")
case "$host" in
  127.*|localhost|"[::1]") ;;
  *) echo "LOAD_DATABASE_URL must name a loopback host (127.0.0.1, localhost, [::1]), not '$host'" >&2; exit 1 ;;
esac

dir=$(mktemp -d)
port=18090
API=http://127.0.0.1:$port
suffix=$$_$RANDOM
schema=consenso_load_$suffix
scratch=consenso_pgbench_$suffix
pid= barepid= samepid=
cleanup() {
  [ -n "$pid" ] && kill $pid 2>/dev/null && wait $pid 2>/dev/null
  [ -n "$barepid" ] && kill $barepid 2>/dev/null
  [ -n "$samepid" ] && kill $samepid 2>/dev/null
  psql -q "$DB" -c "DROP SCHEMA IF EXISTS $schema CASCADE" -c "DROP SCHEMA IF EXISTS $scratch CASCADE" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
psql -q "$DB" -c "CREATE SCHEMA $schema" -c "CREATE SCHEMA $scratch" \
  -c "CREATE TABLE $scratch.rows (id TEXT PRIMARY KEY, body TEXT NOT NULL, created_at TIMESTAMP NOT NULL)" >/dev/null
case "$DB" in *\?*) SERVER_DB="$DB&search_path=$schema" ;; *) SERVER_DB="$DB?search_path=$schema" ;; esac

go build -o "$dir/consenso" ./api/cmd/consenso
go build -o "$dir/consenso-load" ./api/cmd/consenso-load
CONSENSO_DATABASE_URL=$SERVER_DB CONSENSO_DB_CONNS=$DB_CONNS CONSENSO_ADDR=127.0.0.1:$port CONSENSO_LOG_LEVEL=warn CONSENSO_STREAMS_PER_USER=2000 \
  CONSENSO_JWT_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n') \
  CONSENSO_ADMIN_EMAIL=admin@load.test CONSENSO_ADMIN_PASSWORD=load-test-password \
  "$dir/consenso" -demo >"$dir/out" 2>"$dir/err" &
pid=$!
"$dir/consenso-load" -serve-bare 127.0.0.1:18091 &
barepid=$!
for _ in $(seq 1 150); do curl -sf $API/readyz >/dev/null && break; sleep 0.2; done
curl -sf $API/readyz >/dev/null || { echo "the server did not start:" >&2; cat "$dir/err" >&2; exit 1; }

json() { curl -sf -H 'Content-Type: application/json' "$@"; }
login() { json -X POST $API/api/v1/auth/login -d "{\"email\":\"$1\",\"password\":\"$2\"}" | jq -r .access_token; }
ADMIN=$(login admin@load.test load-test-password)
FAC=$(login facilitator@demo.consenso.local consenso-demo-2026)
HEAD=$(login andrea.bz@demo.consenso.local consenso-demo-2026)
# A 100-clause bilingual guideline, agreed clause by clause and adopted.
GID=$(json -X POST $API/api/v1/guidelines -H "Authorization: Bearer $FAC" -d '{"title":{"en":"Load test guidelines","es":"Lineamientos de prueba de carga"},"languages":["en","es"],"participants":["BZ"]}' | jq -r .id)
EN="States shall ensure that consular officials identify, protect and assist victims of trafficking in persons promptly, in a language they understand, with full respect for their rights, their privacy and their safety, and in coordination with the competent authorities of the country of destination and of the country of origin, including the referral to shelter, medical care, legal aid and psychosocial support."
ES="Los Estados velarán por que los funcionarios consulares identifiquen, protejan y asistan sin demora a las víctimas de trata de personas, en un idioma que comprendan, con pleno respeto de sus derechos, su privacidad y su seguridad, y en coordinación con las autoridades competentes del país de destino y del país de origen, incluida la referencia a albergue, atención médica, asistencia jurídica y apoyo psicosocial."
for s in 1 2 3 4 5; do
  SID=$(json -X POST $API/api/v1/guidelines/$GID/sections -H "Authorization: Bearer $FAC" -d "{\"title\":{\"en\":\"Chapter $s\",\"es\":\"Capítulo $s\"}}" | jq -r .id)
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
# A second baseline: the bare Gin handler returning the approved JSON's own
# bytes, what moving that answer costs with nothing else.
curl -sf $API/api/v1/guidelines/$GID/approved -H "Authorization: Bearer $TOKEN" >"$dir/approved.json"
"$dir/consenso-load" -serve-bare 127.0.0.1:18092 -bare-body "$dir/approved.json" &
samepid=$!
for _ in $(seq 1 50); do curl -sf -o /dev/null http://127.0.0.1:18092/ && break; sleep 0.1; done
# An open clause of a guideline under negotiation, for Belize to comment on.
G2=$(json -X POST $API/api/v1/guidelines -H "Authorization: Bearer $FAC" -d '{"title":{"en":"Load test comments","es":"Comentarios de prueba de carga"},"languages":["en","es"],"participants":["BZ"]}' | jq -r .id)
S2=$(json -X POST $API/api/v1/guidelines/$G2/sections -H "Authorization: Bearer $FAC" -d '{"title":{"en":"Comments","es":"Comentarios"}}' | jq -r .id)
C2=$(json -X POST $API/api/v1/guidelines/$G2/clauses -H "Authorization: Bearer $FAC" -d "{\"section_id\":\"$S2\",\"text\":{\"en\":\"$EN\",\"es\":\"$ES\"}}" | jq -r .id)
json -X POST $API/api/v1/clauses/$C2/open -H "Authorization: Bearer $FAC" >/dev/null
cat >"$dir/comment.lua" <<EOF
wrk.method = "POST"
wrk.body = '{"kind":"general","body":"We propose to align this wording with the Palermo Protocol."}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $HEAD"
EOF
# pgbench: a transaction of two INSERTs (a comment creation writes the
# comment and its event) into the scratch table.
cat >"$dir/two-inserts.sql" <<EOF
BEGIN;
INSERT INTO $scratch.rows (id, body, created_at) VALUES (gen_random_uuid()::text, 'We propose to align this wording with the Palermo Protocol.', now());
INSERT INTO $scratch.rows (id, body, created_at) VALUES (gen_random_uuid()::text, '{"type":"comment.created"}', now());
END;
EOF
# measure ARGS...: one wrk run; sets RPS and P99 (ms).
measure() {
  local out
  out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency "$@")
  RPS=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  P99=$(awk '$1=="99%"{v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' <<<"$out")
  if grep -q 'Non-2xx' <<<"$out"; then echo "warning: $* answered $(grep 'Non-2xx' <<<"$out")" >&2; fi
}
ratio() { printf "%.2f" "$(echo "$1/$2" | bc -l)"; }
size=$(curl -sf $API/api/v1/guidelines/$GID/approved -H "Authorization: Bearer $TOKEN" | wc -c)

# The paths are measured in LOAD_ROUNDS rounds, each with its own
# baselines: the bare handler before and after the paths held against it
# (the ratios use the mean), pgbench right after the comments. A ratio
# moves by a fifth between runs on a shared machine; the table gives each
# ratio's median over the rounds, and its range.
declare -a R_APPROVED R_SAME R_GZ R_304 R_CLAUSE R_HEALTHZ R_COMMENT R_LIST
for round in $(seq 1 "$ROUNDS"); do
  measure http://127.0.0.1:18091/;                                  bare1=$RPS
  measure http://127.0.0.1:18092/;                                  samebody=$RPS
  measure $API/healthz;                                             healthz=$RPS
  measure -H "Authorization: Bearer $TOKEN" $API/api/v1/guidelines/$GID/approved;                              approved=$RPS approvedp99=$P99
  measure -H "Authorization: Bearer $TOKEN" -H "Accept-Encoding: gzip" $API/api/v1/guidelines/$GID/approved;   approvedgz=$RPS
  measure -H "Authorization: Bearer $TOKEN" -H "If-None-Match: $ETAG" $API/api/v1/guidelines/$GID/approved;    notmod=$RPS
  measure -H "Authorization: Bearer $FAC" $API/api/v1/clauses/$CID;                                            clause=$RPS clausep99=$P99
  measure http://127.0.0.1:18091/;                                  bare2=$RPS
  bare=$(echo "($bare1+$bare2)/2" | bc -l)
  measure -H "Authorization: Bearer $FAC" $API/api/v1/guidelines/$GID/clauses;                               list=$RPS listp99=$P99
  measure -s "$dir/comment.lua" $API/api/v1/clauses/$C2/comments;                                            comment=$RPS commentp99=$P99
  tps=$(pgbench -n -f "$dir/two-inserts.sql" -c "$PGBENCH_CLIENTS" -j 2 -T "${DURATION%s}" "$DB" 2>/dev/null | awk '/^tps = /{print $3}')
  R_APPROVED+=("$(ratio "$approved" "$bare")") R_SAME+=("$(ratio "$approved" "$samebody")") R_GZ+=("$(ratio "$approvedgz" "$bare")")
  R_304+=("$(ratio "$notmod" "$bare")") R_CLAUSE+=("$(ratio "$clause" "$bare")") R_HEALTHZ+=("$(ratio "$healthz" "$bare")")
  R_COMMENT+=("$(ratio "$comment" "$tps")") R_LIST+=("$(printf '%.0f' "$list")")
  printf 'round %d: bare %.0f/%.0f req/s; approved %.0f (same-body bare %.0f), gzip %.0f, 304 %.0f, clause %.0f, /healthz %.0f req/s; list %.0f req/s; comments %.0f/s against pgbench %.0f tps\n' \
    "$round" "$bare1" "$bare2" "$approved" "$samebody" "$approvedgz" "$notmod" "$clause" "$healthz" "$list" "$comment" "$tps" >&2
done
comments=$(psql -Atc "SELECT count(*) FROM $schema.comments" "$DB")
# median and span of the numbers given.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }
span() { printf '%s\n' "$@" | sort -g | awk 'NR==1{lo=$1} {hi=$1} END{print lo "–" hi}'; }
row() { # row PATH GOAL RATIOS...
  local path=$1 goal=$2; shift 2
  printf '| %s | %s× | %s | %s |\n' "$path" "$(median "$@")" "$(span "$@")" "$goal"
}

echo
echo "Load figures ($(nproc) cores, PostgreSQL $(psql -Atc 'SHOW server_version' "$DB"), wrk -t2 -c$CONNS -d$DURATION, pgbench -c$PGBENCH_CLIENTS -j2, server pool $DB_CONNS, $ROUNDS rounds):"
echo "approved JSON of 100 bilingual clauses: $size bytes; $comments comments created"
echo "last round: approved JSON p99 $approvedp99 ms, read one clause p99 $clausep99 ms, comment p99 $commentp99 ms, clause list p99 $listp99 ms"
echo
echo "| path | median | range over the rounds | goal (issue 13) |"
echo "| --- | ---: | ---: | --- |"
row "approved JSON, 100 bilingual clauses, against bare Gin" "≥ 0.5×" "${R_APPROVED[@]}"
row "the same, against bare Gin returning its bytes" "—" "${R_SAME[@]}"
row "the same, gzip, against bare Gin" "—" "${R_GZ[@]}"
row "the same, 304 revalidation, against bare Gin" "≥ 0.7×" "${R_304[@]}"
row "read one clause, against bare Gin" "≥ 0.3×" "${R_CLAUSE[@]}"
row "create a comment, against pgbench two-insert transactions" "≥ 0.25×" "${R_COMMENT[@]}"
printf '| clause list, 100 clauses (req/s) | %s | %s | paginated; ≥ 5 × 840 = 4,200 req/s |\n' "$(median "${R_LIST[@]}")" "$(span "${R_LIST[@]}")"
row "/healthz (our middleware), against bare Gin" "—" "${R_HEALTHZ[@]}"
echo

# 1,000 live streams: time for a new event to reach every one, and the
# server's peak memory.
"$dir/consenso-load" -api $API -token "$FAC" -guideline "$GID" -streams 1000
printf 'server peak RSS           %10s (goal: under 300 MB)\n' "$(awk '/VmHWM/{print $2, $3}' /proc/$pid/status)"
