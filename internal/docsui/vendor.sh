#!/bin/sh
# Re-creates swagger-ui/ from the Swagger UI release pinned in
# package-lock.json. The copied files are committed, so neither the build nor
# CI runs this; run it (or `npm run vendor`) after changing the pinned version,
# and check that `git diff` shows only what the new release changed.
set -eu
cd "$(dirname "$0")"
npm ci
src=node_modules/swagger-ui-dist
rm -rf swagger-ui
mkdir swagger-ui
# Only what the page loads, and the licence texts; no source maps.
for f in swagger-ui-bundle.js swagger-ui.css swagger-ui-bundle.js.LICENSE.txt LICENSE NOTICE; do
	cp "$src/$f" swagger-ui/
done
