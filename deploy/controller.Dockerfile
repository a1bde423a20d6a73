# The rp9 controller image. Build from the repository root:
#   docker build -f deploy/controller.Dockerfile -t rp9/controller .
FROM node:24-bookworm-slim
WORKDIR /opt/rp9
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY cli ./cli
COPY config ./config
COPY controller ./controller
COPY bots ./bots
COPY types ./types
COPY schemas ./schemas
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund && npm prune --omit=dev
ENTRYPOINT ["node", "/opt/rp9/bin/rp9.js"]
CMD ["controller"]
