#!/usr/bin/env bash
# One command to install Countersign with its test tools and run the whole suite:
# ruff (with the complexity rules), mypy strict and vulture (dead code), then every
# test once, on one worker per core (pytest-xdist): the
# tests below app/views in an environment where PySide6 is not installed
# (scripts/without_qt.py), the others (the GUI, the import contracts, packaging,
# benchmarks' smoke runs) in .venv.
#
#   bash scripts/test.sh             the whole suite, what CI runs (.ci/run)
#   bash scripts/test.sh --fast      the quick local loop: no set-up once .venv exists,
#                                    the tests marked slow left out
#   bash scripts/test.sh ... ARGS    further arguments go to both pytest runs (-x, -n 0...)
#
# COUNTERSIGN_TEST_WORKERS sets the pytest workers (default: one per core; 0 for none).
# `.venv/bin/python -m pytest` runs everything in .venv, as always.
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
.venv/bin/vulture
options=(-n "${COUNTERSIGN_TEST_WORKERS:-auto}")
with_qt="not below_views or needs_qt"
if [ "$fast" = 1 ]; then
  with_qt="($with_qt) and not slow"
  options+=(-m "not slow")
fi
status=0
# Exit status 5 is "no test selected": paths given that hold only the other run's tests.
.venv/bin/python -m pytest -n "${COUNTERSIGN_TEST_WORKERS:-auto}" -m "$with_qt" "$@" || {
  code=$?
  [ "$code" = 5 ] && [ $# -gt 0 ] || status=$code
}
.venv/bin/python scripts/without_qt.py "${options[@]}" "$@" || status=$?
exit "$status"
