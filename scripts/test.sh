#!/usr/bin/env bash
# Runs every check: lint, types, then the whole test suite. Services the tests need (a Chroma server) are started
# by the tests themselves on free loopback ports; PostgreSQL and Redis are provided by the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
# The browser tests drive Debian's chromium through the playwright package (never `playwright install`).
VENV=.venv
bash scripts/system-packages.sh
echo "== ruff"; $VENV/bin/ruff check core ingestion assistant api storage web tests bench
echo "== mypy"; $VENV/bin/mypy
echo "== test index (tests/real_index.py: built here, not inside a timed test)"; $VENV/bin/python -m tests.real_index
echo "== pytest"; $VENV/bin/python -m pytest -q -p no:cacheprovider "$@"
