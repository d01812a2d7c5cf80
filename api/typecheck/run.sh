#!/usr/bin/env sh
# Type-checks a client generated from api/openapi.yaml (run `npm ci` here first):
# the types are generated into a temporary directory with openapi-typescript,
# check.ts must compile with `tsc --strict --noEmit`, and every must-fail/*.ts
# must NOT compile, with its errors on the statement after its `// MUST FAIL`
# line (so a file that fails for another reason — a typo, a missing import —
# does not pass for a refusal the types should make).
set -eu
cd "$(dirname "$0")"
bin=$PWD/node_modules/.bin
[ -x "$bin/tsc" ] && [ -x "$bin/openapi-typescript" ] || { echo "run npm ci in api/typecheck first" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin/openapi-typescript" ../openapi.yaml --output "$tmp/api.d.ts" >/dev/null
cp check.ts "$tmp/"
mkdir "$tmp/must-fail"
cp must-fail/*.ts "$tmp/must-fail/"
ln -s "$PWD/node_modules" "$tmp/node_modules"

tsc() {
	"$bin/tsc" --strict --noEmit --pretty false --target es2022 --module esnext \
		--moduleResolution bundler --lib es2022,dom "$@"
}

status=0
cd "$tmp"
if tsc check.ts; then
	echo "ok   check.ts compiles"
else
	echo "FAIL check.ts does not compile" >&2
	status=1
fi

for f in must-fail/*.ts; do
	name=$f
	marker=$(grep -n '// MUST FAIL' "$f" | head -n 1 | cut -d: -f1)
	if [ -z "$marker" ]; then
		echo "FAIL $name has no // MUST FAIL line" >&2
		status=1
		continue
	fi
	if out=$(tsc "$f" 2>&1); then
		echo "FAIL $name compiles, but the types should refuse it" >&2
		status=1
		continue
	fi
	# Every error must be on the statement after the marker (its next 3 lines).
	stray=$(printf '%s\n' "$out" | grep -E 'error TS[0-9]+' | while IFS= read -r line; do
		case $line in
		"$f("[0-9]*","[0-9]*"): error"*)
			ln=${line#"$f("}
			ln=${ln%%,*}
			if [ "$ln" -gt "$marker" ] && [ "$ln" -le $((marker + 3)) ]; then
				continue
			fi
			;;
		esac
		printf '%s\n' "$line"
	done)
	if [ -n "$stray" ]; then
		echo "FAIL $name fails elsewhere than after its // MUST FAIL line:" >&2
		printf '%s\n' "$stray" >&2
		status=1
		continue
	fi
	echo "ok   $name is refused: $(printf '%s\n' "$out" | grep -m 1 -oE 'error TS[0-9]+: .{0,120}')"
done
exit $status
