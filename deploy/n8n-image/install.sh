#!/usr/bin/env bash
# Install n8n@VERSION into the version-keyed cache (outside the clone).
# Usage: install.sh VERSION   — prints the install dir on stdout.
# Idempotent: a marker file is written only after a successful install.
set -euo pipefail

version="${1:?usage: install.sh VERSION}"
cache_root="${RP9_CACHE_DIR:-$HOME/.cache/rp9}"
dir="$cache_root/n8n/$version"
marker="$dir/.install-complete"

log() { printf '[n8n-image] %s\n' "$*" >&2; }

if [[ -f "$marker" ]]; then
  log "install cached: $dir"
  printf '%s\n' "$dir"
  exit 0
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [[ "$node_major" != "20" ]]; then
  log "n8n-image.node-version: need Node 20, found $(node --version)"
  exit 1
fi

# Start from a clean directory: a half-finished install is never reused.
rm -rf "$dir"
mkdir -p "$dir"
cat > "$dir/package.json" <<JSON
{
  "name": "rp9-n8n-$version",
  "private": true,
  "description": "n8n $version installed by rp9 deploy/n8n-image/install.sh",
  "dependencies": { "n8n": "$version" },
  "overrides": { "xlsx": "0.18.5", "isolated-vm": "5.0.4" }
}
JSON

log "installing n8n@$version into $dir (about 7 minutes the first time)"
started=$SECONDS
if ! (cd "$dir" && npm install --omit=dev --no-audit --no-fund --save-exact --loglevel=error >"$dir/npm-install.log" 2>&1); then
  log "n8n-image.install-failed: npm install failed, see $dir/npm-install.log"
  tail -n 30 "$dir/npm-install.log" >&2 || true
  exit 1
fi
installed="$(node -p "require('$dir/node_modules/n8n/package.json').version")"
if [[ "$installed" != "$version" ]]; then
  log "n8n-image.install-failed: installed n8n $installed, expected $version"
  exit 1
fi
elapsed=$((SECONDS - started))
printf 'version=%s\nseconds=%s\nnode=%s\n' "$version" "$elapsed" "$(node --version)" > "$marker"
log "installed n8n@$version in ${elapsed}s"
printf '%s\n' "$dir"
