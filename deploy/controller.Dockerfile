# The rp9 image (controller and bots). Build from the repository root:
#   docker build -f deploy/controller.Dockerfile -t rp9/controller .
# NODE_IMAGE: any image with Node 24 and npm at /usr/local/bin and a node user
# (uid 1000): the official node:24-bookworm-slim, or rp9/node:24.22.3 built
# here without a registry (deploy/images/build.sh node).
ARG NODE_IMAGE=node:24-bookworm-slim

# Builder: dev dependencies and the TypeScript compiler. A node_modules in the
# build context (npm ci on the host, as deploy/up.sh and the compose test do)
# is used as it is, so the build needs no registry; otherwise npm ci fetches.
FROM ${NODE_IMAGE} AS builder
WORKDIR /build
COPY . .
RUN if [ ! -d node_modules ]; then npm ci --no-audit --no-fund --ignore-scripts; fi \
 && node node_modules/typescript/bin/tsc -p tsconfig.build.json \
 && npm prune --omit=dev --no-audit --no-fund --ignore-scripts \
 && mkdir -p /out/var/lib/rp9 /out/etc/traefik/dynamic

# Runtime: production dependencies and dist/ only, as the node user.
FROM ${NODE_IMAGE}
WORKDIR /opt/rp9
ENV NODE_ENV=production
COPY --from=builder /build/package.json ./package.json
COPY --from=builder /build/bin ./bin
COPY --from=builder /build/dist ./dist
COPY --from=builder /build/node_modules ./node_modules
COPY --from=builder --chown=1000:1000 /out/ /
# pg_dump and pg_restore (backups, restores, drills): rp9/node has them; the
# official node image gets Debian's PostgreSQL 15 client.
RUN command -v pg_dump >/dev/null || (apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql-client-15 && rm -rf /var/lib/apt/lists/*)
USER 1000:1000
EXPOSE 9090
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9090/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/opt/rp9/bin/rp9.js"]
CMD ["controller", "--listen", "0.0.0.0:9090"]
