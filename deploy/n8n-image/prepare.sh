#!/usr/bin/env bash
# Build the root filesystem tarballs of the n8n images the test suite runs,
# in parallel, before vitest starts (`npm test` calls this from pretest), so
# no test waits on an npm install. Each line of output is prefixed with its
# version. Usage: prepare.sh [VERSION...]  (default: the versions of
# test/harness/n8n-image.ts: the platform default and the upgrade source).
# Cached (build.sh): a warm run takes about a second.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $# -eq 0 ]]; then
  harness="$here/../../test/harness/n8n-image.ts"
  mapfile -t versions < <(sed -n "s/^export const \(DEFAULT\|UPGRADE_SOURCE\)_N8N_VERSION = '\([0-9.]*\)';$/\2/p" "$harness")
  [[ ${#versions[@]} -gt 0 ]] || { echo "[n8n-image] n8n-image.no-versions: none found in $harness" >&2; exit 2; }
else
  versions=("$@")
fi

started=$SECONDS
echo "[n8n-image] preparing n8n ${versions[*]} (cache ${RP9_CACHE_DIR:-$HOME/.cache/rp9}; the first run installs from npm: see docs/n8n-image.md)" >&2
pids=()
for version in "${versions[@]}"; do
  ( RP9_N8N_TARBALL_ONLY=1 "$here/build.sh" "$version" 2>&1 >/dev/null | sed -u "s/^/[$version] /" >&2; exit "${PIPESTATUS[0]}" ) &
  pids+=("$!")
done
failed=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "[n8n-image] n8n-image.prepare-failed: n8n ${versions[$i]} did not build (its lines above say why)" >&2
    failed=1
  fi
done
echo "[n8n-image] prepared in $((SECONDS - started))s" >&2
exit "$failed"
