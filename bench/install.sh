#!/usr/bin/env bash
# How heavy installing is: `npm ci` in a fresh clone of HEAD (builds the CLI and fetches helm into
# .tools/), then again with .tools/ in place (helm kept), and the size of node_modules. npm's cache
# is whatever this machine has (warm after any earlier install), as for a developer's second clone.
# Usage: bash bench/install.sh [runs]   (npm run bench:install)
set -euo pipefail
runs="${1:-3}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/bench-install-XXXXXX")"
trap 'rm -rf "$work"' EXIT
git clone --quiet --no-local "$repo" "$work/clone"
cd "$work/clone"
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

# Wall-clock seconds of a command (its output is dropped; a failure stops the bench).
seconds() {
  local start=$EPOCHREALTIME
  "$@" >/dev/null 2>&1 || { echo "bench/install.sh: $* failed" >&2; return 1; }
  awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

for i in $(seq 1 "$runs"); do
  rm -rf node_modules .tools dist
  fresh=$(seconds npm ci)
  rm -rf node_modules dist
  kept=$(seconds npm ci)
  printf 'run %d: npm ci %s s (helm fetched), %s s (.tools kept)\n' "$i" "$fresh" "$kept"
done
printf 'node_modules: %s MB (du -sm)\n' "$(du -sm node_modules | cut -f1)"
printf '.tools/helm: %s MB\n' "$(du -sm .tools/helm | cut -f1)"
