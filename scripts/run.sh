#!/usr/bin/env bash
# One command to install Countersign and open the workstation.
# Arguments are passed to `countersign` (for example --demo or --db FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh run
exec .venv/bin/countersign "$@"
