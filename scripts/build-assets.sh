#!/usr/bin/env bash
# Rebuild the committed front-end assets in app/static from npm govuk-frontend.
# Run after changing assets/*.scss or upgrading govuk-frontend: `npm ci && npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."
src=node_modules/govuk-frontend/dist/govuk
out=app/static
mkdir -p "$out/css" "$out/js"
npx sass --no-source-map --style=compressed --load-path=node_modules --quiet-deps \
  assets/portal.scss "$out/css/portal.css"
cp "$src/govuk-frontend.min.js" "$out/js/govuk-frontend.min.js"
echo "built $out/css/portal.css ($(wc -c < "$out/css/portal.css") bytes)"
