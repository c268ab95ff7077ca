#!/usr/bin/env bash
# Refreshes vendor/chart.umd.min.js (and its licence) from the npm registry package pinned in
# package.json. Run by hand after changing the version there; the build never runs npm.
set -euo pipefail
cd "$(dirname "$0")"
version=$(node -p 'require("./package.json").dependencies["chart.js"]')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "chart.js@$version" >/dev/null && tar xzf "chart.js-$version.tgz")
cp "$work/package/dist/chart.umd.min.js" vendor/chart.umd.min.js
cp "$work/package/LICENSE.md" vendor/chart.js-LICENSE.md
npm install --package-lock-only --ignore-scripts --silent
sha256sum vendor/chart.umd.min.js
