#!/usr/bin/env bash
# Install the Debian packages the stack needs, and only those that are missing:
# venv support, Liberation 2 fonts (1.x lacks Vietnamese letters), poppler for PDF checks;
# with --test also Chromium, in which the tests open the HTML outputs as a reader would (headless, offline), and
# LibreOffice Writer and Calc (no GUI), which print the Word documents and the workbook to PDF as an office would;
# with --office only the latter (make pages).
set -euo pipefail

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "sysdeps: not a Debian system; install Liberation 2 fonts and poppler-utils yourself" >&2
  exit 0
fi

have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

need=()
python3 -c "import ensurepip, venv" 2>/dev/null || need+=(python3-venv)
for pkg in fonts-liberation2 poppler-utils; do
  have "$pkg" || need+=("$pkg")
done
if [ "${1:-}" = "--test" ] && ! command -v chromium >/dev/null 2>&1; then
  need+=(chromium)
fi
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--office" ]; then
  have libreoffice-writer || have libreoffice-writer-nogui || need+=(libreoffice-writer-nogui)
  have libreoffice-calc || have libreoffice-calc-nogui || need+=(libreoffice-calc-nogui)
fi
[ ${#need[@]} -eq 0 ] && exit 0

echo "sysdeps: installing ${need[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
