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
# Run as `npm run bench:install`, npm's own variables (the local prefix, the lifecycle) would make
# the nested installs act on this repository: keep only where packages come from.
for var in $(compgen -e); do
  case "$var" in
    npm_config_cache | npm_config_registry | npm_config_userconfig) ;;
    npm_* | NPM_* | INIT_CWD) unset "$var" ;;
  esac
done
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

# "<wall> s wall, <cpu> s CPU" for a command; its output is shown only when it fails, which stops
# the bench. CPU is user + system time of npm and everything it ran: on a busy machine the wall
# clock mostly measures waiting for a core, the CPU time what installing costs.
timed() {
  local TIMEFORMAT='%R %U %S' times
  times=$( { time "$@" >"$work/out.log" 2>&1; } 2>&1 ) || { echo "bench/install.sh: $* failed:" >&2; tail -20 "$work/out.log" >&2; return 1; }
  awk '{ printf "%.1f s wall, %.1f s CPU", $1, $2 + $3 }' <<<"$times"
}

for i in $(seq 1 "$runs"); do
  rm -rf node_modules .tools dist
  fresh=$(timed npm ci)
  rm -rf node_modules dist
  kept=$(timed npm ci)
  printf 'run %d: npm ci with helm fetched: %s; with .tools kept: %s\n' "$i" "$fresh" "$kept"
done
printf 'node_modules: %s MB (du -sm), load average %s\n' "$(du -sm node_modules | cut -f1)" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)"
printf '.tools/helm: %s MB\n' "$(du -sm .tools/helm | cut -f1)"
