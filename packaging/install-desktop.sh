#!/usr/bin/env bash
# Puts Countersign on the current user's desktop: the launcher (.desktop), the icons,
# the .cardbundle file type (double-clicking a bundle opens Countersign's import
# preview) and the AppStream metainfo, all under $XDG_DATA_HOME (~/.local/share).
#
#   packaging/install-desktop.sh                    the `countersign` found (see below)
#   packaging/install-desktop.sh --exec PATH        a given countersign executable
#   packaging/install-desktop.sh --uninstall        remove what this put in place
#
# The launcher runs, in this order of preference: --exec PATH; the frozen build this
# script sits in (it is copied next to the executable by the PyInstaller spec); the
# `countersign` on PATH (pipx or pip); dist/countersign/countersign in this checkout.
# Needs no root and no Python.
set -euo pipefail

app_id=org.countersign.Countersign
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
mode=install
exec_path=

while [ $# -gt 0 ]; do
  case $1 in
    --exec) exec_path=${2:?--exec needs the path of the countersign executable}; shift 2 ;;
    --exec=*) exec_path=${1#--exec=}; shift ;;
    --uninstall) mode=uninstall; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-desktop.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done

refresh() {
  # Each tool is optional: desktops rescan on their own, just later.
  if command -v update-mime-database >/dev/null 2>&1; then
    update-mime-database "$data/mime"
  fi
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$data/applications"
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$data/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t -f "$data/icons/hicolor" || true
  fi
}

icon_files() {
  (cd "$here/icons" && find hicolor -type f -name "$app_id.*" | sort)
}

if [ "$mode" = uninstall ]; then
  rm -f "$data/applications/$app_id.desktop" \
        "$data/mime/packages/$app_id.xml" \
        "$data/metainfo/$app_id.metainfo.xml"
  while read -r icon; do rm -f "$data/icons/$icon"; done < <(icon_files)
  refresh
  echo "Removed Countersign's launcher, icons, file type and metainfo from $data"
  exit 0
fi

if [ -z "$exec_path" ]; then
  if [ -x "$here/countersign" ] && [ -f "$here/countersign" ]; then
    exec_path=$here/countersign
  elif command -v countersign >/dev/null 2>&1; then
    exec_path=$(command -v countersign)
  elif [ -x "$here/../dist/countersign/countersign" ]; then
    exec_path=$here/../dist/countersign/countersign
  else
    echo "install-desktop.sh: no countersign executable found; install Countersign" \
         "(pipx install .), build it (packaging/build.sh), or pass --exec PATH" >&2
    exit 1
  fi
fi
if [ ! -x "$exec_path" ]; then
  echo "install-desktop.sh: $exec_path is not an executable file" >&2
  exit 1
fi
exec_path=$(cd "$(dirname "$exec_path")" && pwd)/$(basename "$exec_path")
case $exec_path in
  *[\"\`\$\\%]*)
    echo "install-desktop.sh: the path $exec_path has characters a launcher cannot quote;" \
         "move Countersign elsewhere" >&2
    exit 1 ;;
esac

mkdir -p "$data/applications" "$data/mime/packages" "$data/metainfo"
# The launcher names the executable by its absolute path, quoted for spaces.
sed -e "s|^Exec=countersign|Exec=\"$exec_path\"|" \
    -e "s|^TryExec=countersign\$|TryExec=$exec_path|" \
    "$here/linux/$app_id.desktop" > "$data/applications/$app_id.desktop"
install -m 644 "$here/linux/$app_id.xml" "$data/mime/packages/$app_id.xml"
install -m 644 "$here/linux/$app_id.metainfo.xml" "$data/metainfo/$app_id.metainfo.xml"
while read -r icon; do
  install -D -m 644 "$here/icons/$icon" "$data/icons/$icon"
done < <(icon_files)
refresh
if command -v xdg-mime >/dev/null 2>&1; then
  # Countersign opens its own bundles, even where another program claims zip files.
  xdg-mime default "$app_id.desktop" application/x-countersign-bundle || true
fi

echo "Installed Countersign's launcher, icons, .cardbundle file type and metainfo in $data"
echo "The launcher runs: $exec_path"
