#!/usr/bin/env bash
# Installs what Countersign needs on a Debian or Ubuntu machine: the system
# libraries Qt loads (and, for the tests, poppler, gnome-keyring, dbus, Xvfb, jq, the
# desktop-file, AppStream and MIME validators, and a PostgreSQL server the tests start),
# then a virtual environment in .venv with Countersign installed editable, with its
# `desktop` extra (PySide6: the window).
#
#   scripts/setup.sh run    what the workstation needs
#   scripts/setup.sh test   that, plus what the test suite needs
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}

run_packages=(
  libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3 libxkbcommon0
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1
  libx11-xcb1 fonts-dejavu-core
)
test_packages=(poppler-utils gnome-keyring dbus xvfb appstream desktop-file-utils shared-mime-info jq
  postgresql)

packages=("${run_packages[@]}")
if [ "$mode" = test ]; then packages+=("${test_packages[@]}"); fi

if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then sudo=(); else sudo=(sudo); fi
    # Another apt (an unattended upgrade) may hold the lock: wait for it, up to 5 minutes.
    wait_lock=(-o DPkg::Lock::Timeout=300)
    "${sudo[@]}" apt-get "${wait_lock[@]}" update -q
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get "${wait_lock[@]}" install -y -q \
      --no-install-recommends "${missing[@]}"
  fi
else
  echo "No apt-get here: install Qt's runtime libraries (and for tests poppler-utils," \
       "gnome-keyring, dbus) with your system's package manager." >&2
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
# Install once; reinstall only when what the install depends on changed (the
# editable install follows the source by itself).  A test install serves a run too.
stamp=.venv/.countersign-installed
wanted="$(cat pyproject.toml setup.py | sha256sum | cut -c1-64)"
installed="$(cat "$stamp" 2>/dev/null || true)"
if [ "$installed" = "test $wanted" ] || [ "$installed" = "$mode $wanted" ]; then
  exit 0
fi
.venv/bin/python -m pip install -q --upgrade pip
extra="[desktop]"
if [ "$mode" = test ]; then extra="[desktop,test]"; fi
# setuptools warns about editable installs in general; that warning is not ours to act on.
log=$(mktemp)
if ! PYTHONWARNINGS=ignore .venv/bin/python -m pip install -q -e ".$extra" >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
grep -v -e BuildBackendWarning -e '^ *!!' -e '^ *\*\*\*' -e 'Please be careful' \
  -e 'name as your package' -e 'with strategy, WheelFile' -e '^ *$' "$log" || true
rm -f "$log"
test -x .venv/bin/countersign
echo "$mode $wanted" > "$stamp"
