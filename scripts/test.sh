#!/usr/bin/env bash
# One command to install Countersign with its test tools and run the whole suite:
# the tests (with the import contracts), ruff (lint with the complexity rules, and
# format), mypy strict on all of countersign, and vulture (dead code).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check app tests benchmarks
.venv/bin/ruff format --check app tests benchmarks
.venv/bin/mypy
.venv/bin/vulture
.venv/bin/python -m pytest "$@"
