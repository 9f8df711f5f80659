# syntax=docker/dockerfile:1
# Every image of the system, one target each: producer (API, port 3000), consumer (worker, health and metrics
# on 3001), graph-emulator (Microsoft identity + Graph, HTTPS on 8443) and frontend (the dashboard, nginx on
# 4173). Build from the repository root: docker build --target producer .  (the compose files do this.)
# All of them share the dependency and build stages, so the workspace is installed and compiled once.

# --- deps: the whole workspace installed from the lockfile ---
FROM node:20-bookworm AS deps
WORKDIR /app
# Manifests first, so this layer is cached until a package.json or the lockfile changes.
# npm ci needs every workspace's package.json, because the lockfile lists them all.
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages/contracts/package.json packages/contracts/
COPY packages/platform/package.json packages/platform/
COPY graph-emulator/package.json graph-emulator/
COPY core-email-producer/package.json core-email-producer/
COPY core-email-consumer/package.json core-email-consumer/
COPY core-email-frontend/package.json core-email-frontend/
RUN npm ci --no-audit --no-fund

# --- build: the Node services compiled, then only production dependencies kept ---
FROM deps AS build
COPY packages packages
COPY graph-emulator graph-emulator
COPY core-email-producer core-email-producer
COPY core-email-consumer core-email-consumer
RUN npx tsc -b graph-emulator core-email-producer core-email-consumer && npm prune --omit=dev --no-audit --no-fund

# --- node-service: compiled code and production dependencies, as the unprivileged node user ---
FROM node:20-bookworm-slim AS node-service
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node

FROM node-service AS producer
EXPOSE 3000
CMD ["node", "core-email-producer/dist/src/main.js"]

FROM node-service AS consumer
EXPOSE 3001
CMD ["node", "core-email-consumer/dist/src/main.js"]

FROM node-service AS graph-emulator
# Its state and its CA live in volumes (EMULATOR_DATA_DIR, EMULATOR_CA_DIR); created here so the node user owns
# them, which Docker copies onto a fresh named volume.
USER root
RUN mkdir -p /data /ca && chown node:node /data /ca
USER node
EXPOSE 8443
CMD ["node", "graph-emulator/dist/src/main.js"]

# --- frontend-build: the dashboard type-checked and bundled ---
FROM deps AS frontend-build
# The live events' types come from packages/contracts (type-only: nothing of it is bundled).
COPY packages/contracts packages/contracts
RUN npx tsc -b packages/contracts
COPY core-email-frontend core-email-frontend
RUN npm run -w core-email-frontend build
# nginx add_header lines from the one list of the dashboard's headers (the API origin filled in at start).
RUN node -e 'const h = require("./core-email-frontend/security-headers.json"); \
  for (const [k, v] of Object.entries(h)) console.log(`add_header ${k} "${v}" always;`)' > security-headers.inc

# --- frontend: static files only, nginx as an unprivileged user (uid 101) ---
FROM nginxinc/nginx-unprivileged:1.27-alpine AS frontend
COPY --from=frontend-build --chown=101:101 /app/core-email-frontend/dist /usr/share/nginx/html
COPY --from=frontend-build --chown=101:101 /app/security-headers.inc /etc/nginx/conf.d/security-headers.inc
COPY <<'NGINX' /etc/nginx/conf.d/default.conf
server {
  listen 4173;
  root /usr/share/nginx/html;
  # Each location includes the security headers: nginx drops inherited add_header lines where a block has its own.
  # Run-time configuration (see core-email-frontend/src/config.ts): never cached, so a new API_URL applies at once.
  location = /config.json {
    include /etc/nginx/conf.d/security-headers.inc;
    add_header Cache-Control "no-store";
  }
  # Hashed bundles never change under the same name.
  location /assets/ {
    include /etc/nginx/conf.d/security-headers.inc;
    add_header Cache-Control "public, max-age=31536000, immutable";
  }
  location / {
    include /etc/nginx/conf.d/security-headers.inc;
    try_files $uri $uri/ /index.html;
  }
}
NGINX
# nginx's entrypoint runs /docker-entrypoint.d/*.sh before starting: write config.json from API_URL, the
# producer's address as the browser sees it.
COPY --chmod=755 <<'SH' /docker-entrypoint.d/40-core-email-config.sh
#!/bin/sh
set -eu
api_url="${API_URL:-http://localhost:3000}"
printf '{"apiUrl":"%s"}\n' "$api_url" > /usr/share/nginx/html/config.json
# The CSP lets the dashboard fetch from the API's origin only.
origin=$(printf '%s' "$api_url" | sed -E 's|^([a-z]+://[^/]+).*|\1|')
sed -i "s|{{API_ORIGIN}}|$origin|" /etc/nginx/conf.d/security-headers.inc
SH
USER 101
EXPOSE 4173
