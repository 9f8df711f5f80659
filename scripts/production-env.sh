#!/usr/bin/env bash
# Prints a `.env` for docker-compose.prod.yml: fresh random secrets, and the values only you know left for you to
# fill in. Run once and keep the file (losing TOKEN_ENCRYPTION_KEYS loses every stored mailbox connection):
#   bash scripts/production-env.sh > .env && chmod 600 .env
set -euo pipefail
hex() { openssl rand -hex "$1"; }
cat <<ENV
# Generated $(date -u +%Y-%m-%dT%H:%M:%SZ) by scripts/production-env.sh. Never commit this file.
POSTGRES_PASSWORD=$(hex 24)
PG_REPLICATION_PASSWORD=$(hex 24)
JWT_SECRET=$(hex 32)
TOKEN_ENCRYPTION_KEYS=prod-$(date -u +%Y%m%d):$(openssl rand -base64 32)
# Fill in: your Entra app registration (its redirect URI is PUBLIC_API_URL/api/user/outlook/redirect).
MS_CLIENT_ID=
MS_CLIENT_SECRET=
# Fill in: the https URLs your TLS proxy serves the API and the dashboard on (one site, e.g. api.example.com
# and mail.example.com).
PUBLIC_API_URL=
PUBLIC_DASHBOARD_URL=
ENV
