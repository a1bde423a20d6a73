#!/usr/bin/env bash
# `npm test`: the whole suite. The n8n images' root filesystems
# (deploy/n8n-image/prepare.sh; cold, the longest step of a first run) build
# in the background while vitest runs the files that don't need n8n; the
# sequencer (test/harness/n8n-last-sequencer.ts) runs the real-n8n files last,
# and their ensureN8nImage waits for the build on build.sh's per-version lock.
# With arguments (`npm test -- path/to/file.test.ts`) it is plain `vitest run`:
# a real-n8n file then builds what it needs in its beforeAll.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -gt 0 ]]; then
  exec npx vitest run "$@"
fi

# Its own process group, so an interrupted run stops the npm installs too.
setsid bash deploy/n8n-image/prepare.sh &
prepare=$!
trap 'kill -TERM -- "-$prepare" 2>/dev/null || true' INT TERM
status=0
npx vitest run || status=$?
if ! wait "$prepare"; then
  echo "[n8n-image] the background prepare.sh failed (its lines above say why)" >&2
  status=1
fi
exit "$status"
