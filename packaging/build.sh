#!/usr/bin/env bash
# Builds the frozen Countersign for Linux: dist/countersign/ (one folder).
#
#   bash packaging/build.sh
#
# From a fresh clone this sets up .venv first (scripts/setup.sh), installs
# PyInstaller there if it is missing, builds with packaging/countersign.spec, and
# runs the result's --version and --self-check (offscreen) from outside the source
# tree.  Then: dist/countersign/countersign opens the workstation, and
# dist/countersign/install-desktop.sh puts it on the current user's desktop.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if [ ! -x .venv/bin/python ]; then
  bash scripts/setup.sh run
fi
if ! .venv/bin/python -c "import PyInstaller" >/dev/null 2>&1; then
  echo "Installing PyInstaller into .venv"
  .venv/bin/python -m pip install -q "pyinstaller>=6.5,<7"
fi

.venv/bin/pyinstaller --noconfirm --clean --log-level WARN \
  --distpath "$root/dist" --workpath "$root/build/pyinstaller" \
  packaging/countersign.spec

# Check the build from another folder, so nothing can come from the source tree.
check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
(
  cd "$check"
  "$root/dist/countersign/countersign" --version
  QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} "$root/dist/countersign/countersign" --self-check \
    || echo "The self-check above found a problem (a keyring needs a desktop session)." >&2
)
echo "Built $root/dist/countersign ($(du -sh "$root/dist/countersign" | cut -f1))"
