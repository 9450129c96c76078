#!/usr/bin/env bash
# `make bench`: install wrk if it is missing, then run bench/bench.py against the local PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian package)"
    if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
    else sudo apt-get install -y -qq wrk >/dev/null; fi
fi
exec .venv/bin/python bench/bench.py "$@"
