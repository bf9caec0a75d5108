#!/usr/bin/env bash
# Installs PostgreSQL from Debian (if missing), starts a cluster listening on 127.0.0.1 and
# creates the test role and database used by the CandorStore tests (idempotent).
# Prints the connection URL on stdout: postgres://candor_test:candor_test@127.0.0.1:PORT/candor_test
set -euo pipefail
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v pg_lsclusters >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "start-postgres: installing postgresql" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
ver="$(ls /usr/lib/postgresql | sort -V | tail -1)"
cluster="$(pg_lsclusters -h 2>/dev/null | awk -v v="$ver" '$1 == v {print $2; exit}')"
if [ -z "$cluster" ]; then
  cluster=main
  echo "start-postgres: creating cluster $ver/$cluster" >&2
  $SUDO pg_createcluster "$ver" "$cluster" >/dev/null
fi
port="$(pg_lsclusters -h | awk -v v="$ver" -v c="$cluster" '$1 == v && $2 == c {print $3}')"
status="$(pg_lsclusters -h | awk -v v="$ver" -v c="$cluster" '$1 == v && $2 == c {print $4}')"
if [ "$status" != "online" ]; then
  echo "start-postgres: starting cluster $ver/$cluster on 127.0.0.1:$port" >&2
  $SUDO pg_ctlcluster "$ver" "$cluster" start -- -o "-c listen_addresses=127.0.0.1" >/dev/null 2>&1 \
    || $SUDO pg_ctlcluster "$ver" "$cluster" start
fi
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$port" || { echo "start-postgres: server on 127.0.0.1:$port did not come up" >&2; exit 1; }
psql_admin() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "psql -p $port -qAtX $*"; else sudo -u postgres psql -p "$port" -qAtX "$@"; fi; }
if [ "$(psql_admin -c "\"SELECT 1 FROM pg_roles WHERE rolname='candor_test'\"")" != "1" ]; then
  psql_admin -c "\"CREATE ROLE candor_test LOGIN PASSWORD 'candor_test'\"" >/dev/null
fi
if [ "$(psql_admin -c "\"SELECT 1 FROM pg_database WHERE datname='candor_test'\"")" != "1" ]; then
  psql_admin -c "\"CREATE DATABASE candor_test OWNER candor_test\"" >/dev/null
fi
echo "postgres://candor_test:candor_test@127.0.0.1:$port/candor_test"
