#!/usr/bin/env bash
# Does n8n@VERSION install from the configured npm registry? Resolves the whole
# dependency tree (`npm install --package-lock-only`, about 50 s, nothing is
# downloaded but metadata) with the Node and npm of the version's line.
# Usage: resolve.sh VERSION   — exit 0 and prints the dir holding package.json
#   and package-lock.json; exit 3 with n8n-image.unresolvable and npm's reason
#   when the tree does not resolve (e.g. a sub-package missing from the registry).
# Results are cached under ${RP9_CACHE_DIR:-$HOME/.cache/rp9}/n8n-resolve/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${1:?usage: resolve.sh VERSION}"
log() { printf '[n8n-image] %s\n' "$*" >&2; }
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  log "n8n-image.bad-version: '$version' is not X.Y.Z"
  exit 2
fi
# shellcheck source=line.sh
source "$here/line.sh"
cache_root="${RP9_CACHE_DIR:-$HOME/.cache/rp9}"
dir="$cache_root/n8n-resolve/$version-node$node_version"
mkdir -p "$cache_root/n8n-resolve"
exec 7>"$dir.lock"
flock 7

if [[ -f "$dir/.resolved" ]]; then
  printf '%s\n' "$dir"
  exit 0
fi
if [[ -f "$dir/.unresolvable" ]]; then
  log "n8n-image.unresolvable: n8n@$version does not install from $(npm config get registry) (cached; delete $dir to retry):"
  cat "$dir/.unresolvable" >&2
  exit 3
fi

toolchain="$("$here/toolchain.sh" "$node_version" "$npm_version" | tail -n 1)"
rm -rf "$dir"
mkdir -p "$dir"
cat > "$dir/package.json" <<JSON
{
  "name": "rp9-n8n-$version",
  "private": true,
  "description": "n8n $version installed by rp9 deploy/n8n-image on Node $node_version",
  "dependencies": { "n8n": "$version" },
  $line_json
}
JSON
log "resolving the dependency tree of n8n@$version (Node $node_version)"
started=$SECONDS
if (cd "$dir" && PATH="$toolchain/bin:$PATH" npm install --package-lock-only --omit=dev --no-audit --no-fund --loglevel=error >"$dir/resolve.log" 2>&1); then
  printf 'seconds=%s\n' "$((SECONDS - started))" > "$dir/.resolved"
  log "n8n@$version resolves ($((SECONDS - started))s)"
  printf '%s\n' "$dir"
  exit 0
fi
# Only a missing package or version is a fact about the registry worth caching;
# anything else (network, disk) is reported and retried next time.
reason="$(grep -E 'code (ETARGET|E404)|notarget|404 Not Found' "$dir/resolve.log" | head -n 5 || true)"
if [[ -n "$reason" ]]; then
  printf '%s\n' "$reason" > "$dir/.unresolvable"
  log "n8n-image.unresolvable: n8n@$version does not install from $(npm config get registry):"
  printf '%s\n' "$reason" >&2
  exit 3
fi
log "n8n-image.resolve-failed: npm could not resolve n8n@$version, see $dir/resolve.log"
tail -n 20 "$dir/resolve.log" >&2 || true
exit 1
