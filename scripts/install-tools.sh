#!/usr/bin/env bash
# Installs the tools paperflow's tests and demo use, skipping what is already there.
# Idempotent: a second run installs nothing and takes a second.
#
# System packages (apt):
#   poppler-utils        pdftotext, pdfinfo, pdffonts, pdftoppm: read PDFs back as a reader would
#   qpdf                 qpdf --check: the PDF's structure is sound
#   fonts-droid-fallback a CJK fallback font, to test the fallback font chain
#   fonts-noto-core      Noto Sans Arabic and Noto Sans Devanagari: shaped scripts (tests/shaping.rs)
#   fonts-symbola        Symbola, monochrome outline emoji that a PDF can embed
#   libharfbuzz-bin      hb-shape: HarfBuzz's own shaping, the reference tests/shaping.rs checks against
#   zbar-tools           zbarimg: decodes the payment QR codes back, as a banking app would
#
# The project's own Python virtualenv at .tools/venv (git-ignored), with pinned versions:
#   moto[server]         moto_server: S3, SNS, SQS and SES on loopback, for the local stack and tests
#   boto3                to poke at the local stack by hand
#   cargo-lambda         cargo lambda watch / invoke / build
#   ziglang              the cross linker cargo-lambda builds with
#   schemathesis         drives the invoice API from infra/openapi.yaml (tests/api_contract.rs)
#   factur-x             the official XML Schemas and schematrons (as XSLT) of Factur-X EN 16931
#                        (CII) and UBL 2.1 with CEN's EN 16931 rules (scripts/check_einvoice.py)
#   saxonche             Saxon-HE for Python (no Java): runs those XSLT 2.0 schematrons
#   lxml                 XML Schema validation (a dependency of factur-x, pinned here)
#   pikepdf              reads a Factur-X PDF's PDF/A-3 structure back (scripts/check_pdfa.py)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

apt_updated=""
apt_install() {
  if [ -n "$sudo" ] && ! command -v sudo >/dev/null 2>&1; then
    echo "tools: need root or sudo to install $*" >&2
    exit 1
  fi
  if [ -z "$apt_updated" ]; then
    $sudo apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- system packages -------------------------------------------------------------------------
need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
[ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || need+=(fonts-droid-fallback)
[ -f /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf ] || need+=(fonts-noto-core)
[ -f /usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf ] || need+=(fonts-symbola)
command -v hb-shape >/dev/null 2>&1 || need+=(libharfbuzz-bin)
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)

if [ ${#need[@]} -eq 0 ]; then
  echo "tools: system packages present"
else
  echo "tools: installing ${need[*]}"
  apt_install "${need[@]}"
  echo "tools: installed ${need[*]}"
fi

# --- the fallback fonts' layer ---------------------------------------------------------------
# The folder the templates deploy as a Lambda layer and the local stack gives its functions.
if [ -f "$root/target/fonts-layer/fonts/10-NotoSansArabic-Regular.ttf" ] &&
  [ -f "$root/target/fonts-layer/fonts/DejaVuSans.ttf" ]; then
  echo "tools: fonts layer present (target/fonts-layer)"
else
  "$root/scripts/build-fonts-layer.sh"
fi

# --- the project's Python virtualenv ----------------------------------------------------------
venv="$root/.tools/venv"
pins=(
  "moto[server]==5.2.5"
  "boto3"
  "cargo-lambda==1.9.2"
  "ziglang==0.17.1"
  "schemathesis==4.32.5"
  "factur-x==7.8"
  "saxonche==13.1.1"
  "lxml==6.2.0"
  "pikepdf==10.18.0"
)
pins_hash="$(printf '%s\n' "${pins[@]}" | sha256sum | cut -c1-16)"
stamp="$venv/.installed-$pins_hash"

if [ -x "$venv/bin/moto_server" ] && [ -x "$venv/bin/cargo-lambda" ] && [ -x "$venv/bin/schemathesis" ] && [ -f "$stamp" ]; then
  echo "tools: .tools/venv present (moto, cargo-lambda, ziglang, schemathesis, factur-x, saxonche)"
  exit 0
fi

# A venv whose python no longer runs (the interpreter it was made from is gone) is made anew.
if [ -d "$venv" ] && ! "$venv/bin/python" -c "" >/dev/null 2>&1; then
  rm -rf "$venv"
fi

if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$root/.tools"
  python="$(command -v python3 || true)"
  if [ -z "$python" ] || ! "$python" -m venv "$venv" >/dev/null 2>&1; then
    # Debian's own python3 makes virtualenvs only with python3-venv installed.
    rm -rf "$venv"
    echo "tools: python3 -m venv failed; installing python3-venv"
    apt_install python3-venv
    python="$(command -v python3 || true)"
    if [ -z "$python" ] || ! "$python" -m venv "$venv" >/dev/null 2>&1; then
      rm -rf "$venv"
      [ -x /usr/bin/python3 ] || { echo "tools: no python3 can make a virtualenv" >&2; exit 1; }
      /usr/bin/python3 -m venv "$venv"
    fi
  fi
fi

echo "tools: installing into .tools/venv: ${pins[*]}"
rm -f "$venv"/.installed-*
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}"
for tool in moto_server cargo-lambda schemathesis; do
  [ -x "$venv/bin/$tool" ] || { echo "tools: .tools/venv/bin/$tool is missing after install" >&2; exit 1; }
done
"$venv/bin/python" -c "import facturx, saxonche, lxml, pikepdf" || { echo "tools: the e-invoice validators do not import after install" >&2; exit 1; }
printf '%s\n' "${pins[@]}" >"$stamp"
echo "tools: installed .tools/venv (moto, cargo-lambda, ziglang, schemathesis, factur-x, saxonche)"
