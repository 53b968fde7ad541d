#!/usr/bin/env bash
# One command to install Countersign with its test tools and run the whole suite:
# ruff and mypy, the tests (with the import contracts) on one worker per core
# (pytest-xdist), then the tests below app/views again where PySide6 is not
# installed (scripts/without_qt.py).
#
#   bash scripts/test.sh             the whole suite, what CI runs (.ci/run)
#   bash scripts/test.sh --fast      the quick local loop: no set-up once .venv exists,
#                                    the tests marked slow and the Qt-free run left out
#   bash scripts/test.sh ... ARGS    further arguments go to pytest (-k review, -x, -n 0...)
#
# COUNTERSIGN_TEST_WORKERS sets the pytest workers (default: one per core; 0 for none).
set -euo pipefail
cd "$(dirname "$0")/.."
fast=0
if [ "${1:-}" = --fast ]; then
  fast=1
  shift
fi
if [ "$fast" = 0 ] || [ ! -x .venv/bin/pytest ]; then
  bash scripts/setup.sh test
fi
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check app tests benchmarks scripts
.venv/bin/ruff format --check app tests benchmarks scripts
.venv/bin/mypy
workers=(-n "${COUNTERSIGN_TEST_WORKERS:-auto}")
if [ "$fast" = 1 ]; then
  .venv/bin/python -m pytest "${workers[@]}" -m "not slow" "$@"
else
  .venv/bin/python -m pytest "${workers[@]}" "$@"
  .venv/bin/python scripts/without_qt.py "${workers[@]}" -q
fi
