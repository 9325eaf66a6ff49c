#!/usr/bin/env bash
# Installs the system tools paperflow's tests and demo use, skipping what is already there.
# Idempotent: a second run installs nothing and takes a second.
#
#   poppler-utils        pdftotext, pdfinfo, pdffonts, pdftoppm: read PDFs back as a reader would
#   qpdf                 qpdf --check: the PDF's structure is sound
#   fonts-droid-fallback a CJK fallback font, to test the fallback font chain
set -euo pipefail

need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
[ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || need+=(fonts-droid-fallback)

if [ ${#need[@]} -eq 0 ]; then
  echo "tools: all present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "tools: need root or sudo to install ${need[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "tools: installing ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "tools: installed ${need[*]}"
