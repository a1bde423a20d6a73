#!/usr/bin/env bash
# Make a real n8n available as a local Docker image, without a registry.
#
# Usage: deploy/n8n-image/build.sh [VERSION] [TAG]
#   VERSION  full version (default 1.123.81) or a MAJOR.MINOR line such as
#            1.123, resolved to its newest release with `npm view`.
#   TAG      image tag (default rp9/n8n:VERSION).
# Engine:    the one DOCKER_HOST names (e.g. unix:///tmp/x/docker.sock).
# Cache:     ${RP9_CACHE_DIR:-$HOME/.cache/rp9}/n8n/VERSION/ holds the npm
#            install and the root filesystem tarball; both are reused.
# Env:       RP9_N8N_FORCE_IMPORT=1 re-imports even if TAG already exists.
#
# Idempotent: every step is skipped when its result is already complete.
# Prints the image tag on the last line of stdout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf '[n8n-image] %s\n' "$*" >&2; }

version="${1:-1.123.81}"
if [[ "$version" =~ ^[0-9]+\.[0-9]+$ ]]; then
  line="$version"
  version="$(npm view n8n versions --json | node -e '
    const line = process.argv[1];
    const all = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const hits = all.filter((v) => v.startsWith(line + ".") && /^\d+\.\d+\.\d+$/.test(v));
    hits.sort((a, b) => Number(a.split(".")[2]) - Number(b.split(".")[2]));
    if (hits.length > 0) console.log(hits[hits.length - 1]);
  ' "$line")"
  [[ -n "$version" ]] || { log "n8n-image.version-not-found: no n8n release in line $line"; exit 1; }
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
exec 9>"$cache_root/n8n/$version.lock"
flock 9

install_dir="$("$here/install.sh" "$version" | tail -n 1)"

tarball="$install_dir/rootfs.tar"
tar_marker="$tarball.complete"
# The tarball depends on the machine's node and on rootfs.sh itself.
tar_key="node=$(node --version) rootfs=$(sha256sum "$here/rootfs.sh" | cut -c1-16)"
if [[ -f "$tar_marker" && -f "$tarball" && "$(cat "$tar_marker")" == "$tar_key" ]]; then
  log "rootfs cached: $tarball"
else
  rm -f "$tar_marker"
  started=$SECONDS
  "$here/rootfs.sh" "$install_dir" "$tarball"
  printf '%s\n' "$tar_key" > "$tar_marker"
  log "rootfs built in $((SECONDS - started))s"
fi

if [[ "${RP9_N8N_FORCE_IMPORT:-0}" != "1" ]] \
  && existing="$(docker image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$tag" 2>/dev/null)" \
  && grep -qx "RP9_N8N_VERSION=$version" <<<"$existing"; then
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
  --change 'ENV N8N_PORT=5678' \
  --change 'EXPOSE 5678' \
  --change 'USER node' \
  --change 'WORKDIR /home/node' \
  --message "n8n $version (rp9 deploy/n8n-image)" \
  "$tarball" "$tag" >&2
log "imported $tag in $((SECONDS - started))s"
printf '%s\n' "$tag"
