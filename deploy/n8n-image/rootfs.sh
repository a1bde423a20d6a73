#!/usr/bin/env bash
# Build the root filesystem tarball for an n8n image from a finished install.
# Usage: rootfs.sh INSTALL_DIR OUT_TAR NODE_BIN
# Contents: node (NODE_BIN, the toolchain's the install was made with), every library ldd lists for node and for the
# native addons of the install, busybox-static as /bin/sh (+ wget for health
# checks), /etc/passwd with a `node` user (uid 1000), /home/node, /tmp, the
# entrypoint /usr/local/bin/n8n and the install at /opt/n8n.
set -euo pipefail

install_dir="${1:?usage: rootfs.sh INSTALL_DIR OUT_TAR}"
out="${2:?usage: rootfs.sh INSTALL_DIR OUT_TAR NODE_BIN}"
node_bin="$(readlink -f "${3:?usage: rootfs.sh INSTALL_DIR OUT_TAR NODE_BIN}")"

log() { printf '[n8n-image] %s\n' "$*" >&2; }

busybox_bin="$(command -v busybox || true)"
if [[ -z "$busybox_bin" ]]; then
  log "n8n-image.busybox-missing: install the Debian package busybox-static"
  exit 1
fi
if ldd "$busybox_bin" >/dev/null 2>&1; then
  log "n8n-image.busybox-dynamic: $busybox_bin is dynamically linked; install busybox-static"
  exit 1
fi

staging="$(mktemp -d "${TMPDIR:-/tmp}/rp9-n8n-rootfs.XXXXXX")"
trap 'rm -rf "$staging"' EXIT

chmod 0755 "$staging"  # mktemp makes it 0700; it becomes the image's /
mkdir -p "$staging"/{bin,etc,tmp,home/node,usr/local/bin,opt/n8n}
chmod 1777 "$staging/tmp"
chown 1000:1000 "$staging/home/node"

# node, and the libraries it and every native addon need, at the paths ldd names.
install -m 0755 "$node_bin" "$staging/usr/local/bin/node"
mapfile -t addons < <(find "$install_dir/node_modules" -name '*.node' -type f)
log "native addons: ${#addons[@]}"
libs_file="$staging/.libs"
{
  ldd "$node_bin"
  for addon in "${addons[@]}"; do
    # Prebuilt addons for other platforms (musl, arm) are not loadable here; skip them.
    ldd "$addon" 2>/dev/null || true
  done
} | awk '
  $2 == "=>" && $3 ~ /^\// { print $3 }
  $1 ~ /^\// { print $1 }
' | sort -u > "$libs_file"
while read -r lib; do
  [[ -e "$lib" ]] || continue
  mkdir -p "$staging$(dirname "$lib")"
  cp -L "$lib" "$staging$lib"
done < "$libs_file"
log "libraries: $(wc -l < "$libs_file")"
rm -f "$libs_file"

# busybox: /bin/sh for health checks and the entrypoint, wget for /healthz.
install -m 0755 "$busybox_bin" "$staging/bin/busybox"
for applet in $("$busybox_bin" --list); do
  [[ "$applet" == busybox ]] && continue
  ln -s busybox "$staging/bin/$applet"
done

cat > "$staging/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
node:x:1000:1000:node:/home/node:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$staging/etc/group" <<'GROUP'
root:x:0:
node:x:1000:
nogroup:x:65534:
GROUP
cat > "$staging/etc/nsswitch.conf" <<'NSS'
passwd: files
group: files
hosts: files dns
NSS

cat > "$staging/usr/local/bin/n8n" <<'ENTRY'
#!/bin/sh
exec /usr/local/bin/node /opt/n8n/node_modules/n8n/bin/n8n "$@"
ENTRY
chmod 0755 "$staging/usr/local/bin/n8n"

tmp_out="$out.partial"
rm -f "$tmp_out"
tar -C "$staging" --numeric-owner -cf "$tmp_out" .
# Append the install as root-owned, read-only-for-others files under /opt/n8n,
# without copying 1.8 GB into the staging dir first.
# Source maps and type declarations are never loaded at run time (without maps
# source-map-support just prints compiled positions); leaving them out halves
# the file count, which is what `docker import` spends its time on.
tar -C "$install_dir" --numeric-owner --owner=0 --group=0 \
  --exclude='*.map' --exclude='*.d.ts' --exclude='*.d.mts' --exclude='*.d.cts' \
  --transform='s,^,opt/n8n/,rSh' \
  -rf "$tmp_out" package.json package-lock.json node_modules
mv "$tmp_out" "$out"
log "rootfs tarball: $out ($(du -h "$out" | cut -f1))"
