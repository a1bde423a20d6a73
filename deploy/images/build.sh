#!/usr/bin/env bash
# Build the stack's images without a registry: a root filesystem of this
# machine's Debian binaries (and the libraries ldd lists), busybox-static as
# the shell, `docker import`ed with the official image's entry contract.
#
# Usage: deploy/images/build.sh NAME...   NAME: node postgres redis prometheus alertmanager
#   node         rp9/node:<version>: Node 24 and npm from the npm registry
#                (deploy/n8n-image/toolchain.sh) and PostgreSQL 15's pg_dump,
#                pg_restore and psql; the base of the rp9 image
#   postgres     rp9/postgres:15 (POSTGRES_USER, POSTGRES_PASSWORD_FILE,
#                POSTGRES_DB, /docker-entrypoint-initdb.d/*.sh|*.sql)
#   redis        rp9/redis:7
#   prometheus   rp9/prometheus:local (entrypoint /bin/prometheus, promtool)
#   alertmanager rp9/alertmanager:local (entrypoint /bin/alertmanager, amtool)
# Engine: the one DOCKER_HOST names. Cache: ${RP9_CACHE_DIR:-~/.cache/rp9}/images/
# holds each root filesystem tarball, keyed by its inputs; an image already
# present under its tag is not imported again. Prints one tag per line.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${RP9_CACHE_DIR:-$HOME/.cache/rp9}/images"
log() { printf '[images] %s\n' "$*" >&2; }
mkdir -p "$cache"

busybox_bin=/bin/busybox
if ! [[ -x "$busybox_bin" ]] || ldd "$busybox_bin" >/dev/null 2>&1; then
  log "images.busybox-missing: install the Debian package busybox-static"
  exit 1
fi

# stage_base DIR UID NAME: /, busybox applets, users root/NAME(UID)/nobody, /tmp.
stage_base() {
  local dir="$1" uid="$2" user="$3"
  chmod 0755 "$dir"
  mkdir -p "$dir"/{bin,etc,tmp,usr/local/bin}
  chmod 1777 "$dir/tmp"
  install -m 0755 "$busybox_bin" "$dir/bin/busybox"
  for applet in $("$busybox_bin" --list); do
    [[ "$applet" == busybox ]] || ln -sf busybox "$dir/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n%s:x:%s:%s:%s:/home/%s:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' "$user" "$uid" "$uid" "$user" "$user" > "$dir/etc/passwd"
  printf 'root:x:0:\n%s:x:%s:\nnogroup:x:65534:\n' "$user" "$uid" > "$dir/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$dir/etc/nsswitch.conf"
  mkdir -p "$dir/home/$user" && chown "$uid:$uid" "$dir/home/$user"
}

# stage_binaries DIR FILE...: each executable at its path, and every library ldd lists for it.
stage_binaries() {
  local dir="$1"; shift
  local file lib
  for file in "$@"; do
    mkdir -p "$dir$(dirname "$file")"
    cp -L "$file" "$dir$file"
  done
  for lib in $(for file in "$@"; do ldd "$file" 2>/dev/null || true; done | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u); do
    mkdir -p "$dir$(dirname "$lib")"
    cp -L "$lib" "$dir$lib"
  done
}

# inputs NAME: what the image is made of, hashed into the cache key.
inputs() {
  case "$1" in
    node) printf '%s\n' "$node_version"; dpkg-query -W -f '${Version}\n' postgresql-client-15 ;;
    postgres) dpkg-query -W -f '${Version}\n' postgresql-15 ;;
    redis) dpkg-query -W -f '${Version}\n' redis-server ;;
    prometheus) dpkg-query -W -f '${Version}\n' prometheus ;;
    alertmanager) dpkg-query -W -f '${Version}\n' prometheus-alertmanager ;;
  esac
  dpkg-query -W -f '${Version}\n' busybox-static
  cat "${BASH_SOURCE[0]}" "$here/postgres-entrypoint.sh"
}

stage() {
  local name="$1" dir="$2"
  case "$name" in
    node)
      stage_base "$dir" 1000 node
      local toolchain
      toolchain="$(bash "$here/../n8n-image/toolchain.sh" "$node_version" "$npm_version")"
      stage_binaries "$dir" "$(readlink -f "$toolchain/bin/node")"
      # The controller runs pg_dump and pg_restore for backups, restores and drills.
      local pgbin=/usr/lib/postgresql/15/bin
      stage_binaries "$dir" "$pgbin/pg_dump" "$pgbin/pg_restore" "$pgbin/psql"
      for tool in pg_dump pg_restore psql; do ln -sf "$pgbin/$tool" "$dir/usr/local/bin/$tool"; done
      mv "$dir$(readlink -f "$toolchain/bin/node")" "$dir/usr/local/bin/node"
      rm -rf "$dir/root"
      mkdir -p "$dir/usr/local/lib/node_modules"
      cp -a "$toolchain/node_modules/npm" "$dir/usr/local/lib/node_modules/npm"
      printf '#!/bin/sh\nexec /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/npm-cli.js "$@"\n' > "$dir/usr/local/bin/npm"
      chmod 0755 "$dir/usr/local/bin/npm"
      mkdir -p "$dir/etc/ssl/certs" && cp -L /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/" 2>/dev/null || true
      ;;
    postgres)
      stage_base "$dir" 999 postgres
      local bin=/usr/lib/postgresql/15/bin
      stage_binaries "$dir" "$bin/postgres" "$bin/initdb" "$bin/pg_ctl" "$bin/pg_isready" "$bin/psql" "$bin/pg_dump" "$bin/pg_restore"
      stage_binaries "$dir" $(find /usr/lib/postgresql/15/lib -name '*.so' ! -name 'llvmjit*')
      mkdir -p "$dir/usr/share/postgresql" "$dir/usr/share/zoneinfo"
      cp -a /usr/share/postgresql/15 "$dir/usr/share/postgresql/15"
      cp -a /usr/share/zoneinfo/. "$dir/usr/share/zoneinfo/"
      for tool in postgres initdb pg_ctl pg_isready psql pg_dump pg_restore; do ln -sf "$bin/$tool" "$dir/usr/local/bin/$tool"; done
      install -m 0755 "$here/postgres-entrypoint.sh" "$dir/usr/local/bin/docker-entrypoint.sh"
      mkdir -p "$dir/docker-entrypoint-initdb.d" "$dir/var/lib/postgresql/data" "$dir/var/run/postgresql"
      chown 999:999 "$dir/var/lib/postgresql/data" "$dir/var/run/postgresql"
      ;;
    redis)
      stage_base "$dir" 999 redis
      stage_binaries "$dir" /usr/bin/redis-server /usr/bin/redis-cli
      ln -sf /usr/bin/redis-server "$dir/usr/local/bin/redis-server"
      mkdir -p "$dir/data" && chown 999:999 "$dir/data"
      ;;
    prometheus)
      stage_base "$dir" 65534 prometheus
      stage_binaries "$dir" /usr/bin/prometheus /usr/bin/promtool
      ln -sf /usr/bin/prometheus "$dir/bin/prometheus"
      mkdir -p "$dir/usr/share/prometheus" "$dir/prometheus" "$dir/etc/prometheus"
      cp -a /usr/share/prometheus/web "$dir/usr/share/prometheus/web" 2>/dev/null || true
      chown 65534:65534 "$dir/prometheus"
      ;;
    alertmanager)
      stage_base "$dir" 65534 alertmanager
      stage_binaries "$dir" /usr/bin/prometheus-alertmanager /usr/bin/amtool
      ln -sf /usr/bin/prometheus-alertmanager "$dir/bin/alertmanager"
      mkdir -p "$dir/usr/share/prometheus" "$dir/alertmanager" "$dir/etc/alertmanager"
      cp -a /usr/share/prometheus/alertmanager "$dir/usr/share/prometheus/alertmanager" 2>/dev/null || true
      chown 65534:65534 "$dir/alertmanager"
      ;;
    *) log "images.unknown: '$name' (known: node postgres redis prometheus alertmanager)"; exit 2 ;;
  esac
}

# The entry contract of the official image each one stands in for.
changes() {
  case "$1" in
    node) printf '%s\n' 'ENV PATH=/usr/local/bin:/bin' 'CMD ["node"]' ;;
    postgres) printf '%s\n' 'ENV PATH=/usr/local/bin:/bin' 'ENV PGDATA=/var/lib/postgresql/data' 'USER postgres' 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' 'CMD ["postgres"]' 'EXPOSE 5432' ;;
    redis) printf '%s\n' 'ENV PATH=/usr/local/bin:/usr/bin:/bin' 'USER redis' 'WORKDIR /data' 'CMD ["redis-server"]' 'EXPOSE 6379' ;;
    prometheus) printf '%s\n' 'USER nobody' 'WORKDIR /prometheus' 'ENTRYPOINT ["/bin/prometheus"]' 'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]' 'EXPOSE 9090' ;;
    alertmanager) printf '%s\n' 'USER nobody' 'WORKDIR /alertmanager' 'ENTRYPOINT ["/bin/alertmanager"]' 'CMD ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"]' 'EXPOSE 9093' ;;
  esac
}

tag_of() {
  case "$1" in
    node) printf 'rp9/node:%s\n' "$node_version" ;;
    postgres) printf 'rp9/postgres:15\n' ;;
    redis) printf 'rp9/redis:7\n' ;;
    *) printf 'rp9/%s:local\n' "$1" ;;
  esac
}

node_version="${RP9_NODE_VERSION:-24.22.3}"
npm_version="${RP9_NPM_VERSION:-11.19.1}"
[[ $# -gt 0 ]] || { log "usage: build.sh NAME... (node postgres redis prometheus alertmanager)"; exit 2; }
for name in "$@"; do
  tag="$(tag_of "$name")"
  key="$(inputs "$name" | sha256sum | cut -c1-16)"
  tarball="$cache/$name-$key.tar"
  exec 9>"$cache/$name.lock"
  flock 9
  if docker image inspect "$tag" --format '{{index .Config.Labels "rp9.io/inputs"}}' 2>/dev/null | grep -qx "$key"; then
    log "$tag is up to date"
    printf '%s\n' "$tag"
    continue
  fi
  if ! [[ -f "$tarball" ]]; then
    started=$SECONDS
    staging="$(mktemp -d "${TMPDIR:-/tmp}/rp9-image-$name.XXXXXX")"
    stage "$name" "$staging"
    tar -C "$staging" --numeric-owner -cf "$tarball.partial" .
    rm -rf "$staging"
    mv "$tarball.partial" "$tarball"
    log "$name: root filesystem $(du -h "$tarball" | cut -f1) in $((SECONDS - started)) s"
  fi
  args=(--change "LABEL rp9.io/inputs=$key")
  while IFS= read -r change; do args+=(--change "$change"); done < <(changes "$name")
  docker import "${args[@]}" "$tarball" "$tag" >/dev/null
  printf '%s\n' "$tag"
done
