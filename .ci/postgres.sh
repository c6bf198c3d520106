#!/usr/bin/env bash
# Installs (when missing) and starts a local PostgreSQL from Debian's packages, then makes sure the test
# role and database exist: role jit / password jit, database jit_test, on 127.0.0.1:5432. Idempotent: a
# developer runs it once per machine boot; .ci/run runs it every time. Needs root (apt-get, pg_ctlcluster).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt-get update -q && apt-get install -y -q postgresql
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  pg_createcluster "$version" main
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
fi
for _ in $(seq 1 30); do
  if su postgres -c "pg_isready -q -h 127.0.0.1 -p 5432"; then break; fi
  sleep 1
done
su postgres -c "psql -v ON_ERROR_STOP=1 -q" <<'SQL'
SELECT 'CREATE ROLE jit LOGIN PASSWORD ''jit'' CREATEDB' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'jit')\gexec
SELECT 'CREATE DATABASE jit_test OWNER jit' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'jit_test')\gexec
SQL
# The tests run several replicas, each with its own pools and listener connections, and JVMs in parallel:
# the default of 100 connections is too few. Raise it once (a restart applies it).
if [ "$(su postgres -c "psql -tAc 'SHOW max_connections'")" -lt 300 ]; then
  su postgres -c "psql -q -c 'ALTER SYSTEM SET max_connections = 300'"
  pg_ctlcluster --skip-systemctl-redirect "$version" main restart
  for _ in $(seq 1 30); do
    if su postgres -c "pg_isready -q -h 127.0.0.1 -p 5432"; then break; fi
    sleep 1
  done
fi
echo "PostgreSQL $version ready: jdbc:postgresql://127.0.0.1:5432/jit_test (user jit)"
