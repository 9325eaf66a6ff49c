#!/usr/bin/env bash
# Installs what `make infra-test` uses, skipping what is already there.
# Idempotent: a second run installs nothing and takes a second or two.
#
# Two virtualenvs under .tools (git-ignored), with pinned versions; two because checkov pins
# boto3 1.35 and aws-sam-cli pins boto3 1.43, which pip cannot put into one environment:
#   .tools/infra-venv
#     aws-sam-cli          `sam validate --lint`, `sam validate`, and `sam build` / `sam deploy`
#     aws-sam-translator   the SAM transform, used offline by infra/tests (the version sam-cli pins)
#     cfn-lint             CloudFormation linter, on the SAM template and on its translation
#     pytest               runs infra/tests
#   .tools/checkov-venv
#     checkov              policy-as-code scanner, run offline (--skip-download) on SAM and CDK output
#
# The CDK app's node_modules (infra/cdk/node_modules, git-ignored): `npm ci` from the committed
# package-lock.json (aws-cdk-lib, aws-cdk, constructs, cdk-nag, cargo-lambda-cdk, tsx, typescript).
#
# Each part is redone only when its pins (Python) or its lockfile (npm) change: a stamp file named
# after their hash records a finished install.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# --- the Python virtualenvs -------------------------------------------------------------------
python="$(command -v python3 || true)"
[ -n "$python" ] || { echo "infra-tools: python3 is needed" >&2; exit 1; }

# install_venv NAME TOOLS... -- PINS...: .tools/NAME with PINS, unless its stamp says it is there.
install_venv() {
  local name="$1"; shift
  local tools=()
  while [ "$1" != "--" ]; do tools+=("$1"); shift; done
  shift
  local venv="$root/.tools/$name"
  local hash
  hash="$(printf '%s\n' "$@" | sha256sum | cut -c1-16)"
  if [ -f "$venv/.installed-$hash" ] && "$venv/bin/python" -c "" >/dev/null 2>&1; then
    echo "infra-tools: .tools/$name present (${tools[*]})"
    return
  fi
  # A venv whose python no longer runs (the interpreter it was made from is gone) is made anew.
  if [ -d "$venv" ] && ! "$venv/bin/python" -c "" >/dev/null 2>&1; then
    rm -rf "$venv"
  fi
  if [ ! -x "$venv/bin/python" ]; then
    mkdir -p "$root/.tools"
    if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
      # Debian's own python3 makes virtualenvs only with python3-venv installed.
      rm -rf "$venv"
      echo "infra-tools: python3 -m venv failed; installing python3-venv"
      local sudo=""
      [ "$(id -u)" -eq 0 ] || sudo="sudo"
      $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
      "$python" -m venv "$venv"
    fi
  fi
  echo "infra-tools: installing into .tools/$name: $*"
  rm -f "$venv"/.installed-*
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
  for tool in "${tools[@]}"; do
    [ -x "$venv/bin/$tool" ] || { echo "infra-tools: .tools/$name/bin/$tool is missing after install" >&2; exit 1; }
  done
  printf '%s\n' "$@" >"$venv/.installed-$hash"
  echo "infra-tools: installed .tools/$name"
}

install_venv infra-venv sam cfn-lint pytest -- \
  "aws-sam-cli==1.170.0" \
  "aws-sam-translator==1.115.0" \
  "cfn-lint==1.58.0" \
  "pytest==9.2.0"
install_venv checkov-venv checkov -- \
  "checkov==3.3.30"

# --- the CDK app's node_modules ---------------------------------------------------------------
cdk="$root/infra/cdk"
command -v npm >/dev/null 2>&1 || { echo "infra-tools: node and npm (>= 20) are needed" >&2; exit 1; }
lock_hash="$( (cat "$cdk/package-lock.json"; node --version) | sha256sum | cut -c1-16)"
nstamp="$cdk/node_modules/.installed-$lock_hash"
if [ -f "$nstamp" ]; then
  echo "infra-tools: infra/cdk/node_modules present"
else
  echo "infra-tools: npm ci in infra/cdk"
  (cd "$cdk" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$nstamp"
  echo "infra-tools: installed infra/cdk/node_modules"
fi
