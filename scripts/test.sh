#!/usr/bin/env bash
# The whole test suite: system packages, a throw-away PostgreSQL, then pytest on SQLite and
# PostgreSQL (database tests run on both), AppTest pages and the Chromium browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system_deps.sh
PG_DIR=""
cleanup() { if [ -n "$PG_DIR" ]; then bash scripts/pg.sh stop "$PG_DIR"; fi; }
trap cleanup EXIT
if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  PG_DIR=$(mktemp -d /tmp/cardpg.XXXXXX)
  PG_PORT=$(.venv/bin/python -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
  TEST_POSTGRES_URL=$(bash scripts/pg.sh start "$PG_DIR" "$PG_PORT")
  export TEST_POSTGRES_URL
fi
echo "PostgreSQL for the tests: $TEST_POSTGRES_URL"
export PYTHONDONTWRITEBYTECODE=1
.venv/bin/python -m pytest "$@"
