#!/bin/sh
# Run once by the postgres image on an empty data directory (official image or
# rp9/postgres:15): the shared n8n's role `n8n` (password from the compose
# secret n8n_db_password) and its database n8n_shared.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres --no-psqlrc -v pw="$(cat "$N8N_DB_PASSWORD_FILE")" <<'SQL'
CREATE ROLE n8n LOGIN PASSWORD :'pw';
CREATE DATABASE n8n_shared OWNER n8n;
SQL
