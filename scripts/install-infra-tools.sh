#!/usr/bin/env bash
# Installs what `make infra-test` uses, skipping what is already there.
# Idempotent: a second run installs nothing and takes a second or two.
#
# The infra virtualenv at .tools/infra-venv (git-ignored), with pinned versions:
#   cfn-lint             CloudFormation linter, run on the SAM template and on its translation
#   checkov              policy-as-code scanner, run offline (--skip-download) on SAM and CDK output
#   aws-sam-cli          `sam validate --lint`, `sam validate`, and `sam build` / `sam deploy`
#   aws-sam-translator   the SAM transform, used offline by infra/tests/test_equivalence.py
#   pytest               runs infra/tests
#
# The CDK app's node_modules (infra/cdk/node_modules, git-ignored): `npm ci` from the committed
# package-lock.json (aws-cdk-lib, aws-cdk, constructs, cdk-nag, cargo-lambda-cdk, tsx, typescript).
#
# Each part is redone only when its pins (Python) or its lockfile (npm) change: a stamp file named
# after their hash records a finished install.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# --- the infra Python virtualenv --------------------------------------------------------------
venv="$root/.tools/infra-venv"
pins=(
  "aws-sam-cli==1.170.0"
  "aws-sam-translator==1.115.0"
  "cfn-lint==1.58.0"
  "checkov==3.3.30"
  "pytest==9.2.0"
)
pins_hash="$(printf '%s\n' "${pins[@]}" | sha256sum | cut -c1-16)"
stamp="$venv/.installed-$pins_hash"

if [ -f "$stamp" ] && "$venv/bin/python" -c "" >/dev/null 2>&1; then
  echo "infra-tools: .tools/infra-venv present (sam, cfn-lint, checkov, pytest)"
else
  # A venv whose python no longer runs (the interpreter it was made from is gone) is made anew.
  if [ -d "$venv" ] && ! "$venv/bin/python" -c "" >/dev/null 2>&1; then
    rm -rf "$venv"
  fi
  if [ ! -x "$venv/bin/python" ]; then
    mkdir -p "$root/.tools"
    python="$(command -v python3 || true)"
    [ -n "$python" ] || { echo "infra-tools: python3 is needed" >&2; exit 1; }
    if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
      # Debian's own python3 makes virtualenvs only with python3-venv installed.
      rm -rf "$venv"
      echo "infra-tools: python3 -m venv failed; installing python3-venv"
      sudo=""
      [ "$(id -u)" -eq 0 ] || sudo="sudo"
      $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
      "$python" -m venv "$venv"
    fi
  fi
  echo "infra-tools: installing into .tools/infra-venv: ${pins[*]}"
  rm -f "$venv"/.installed-*
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}"
  for tool in sam cfn-lint checkov pytest; do
    [ -x "$venv/bin/$tool" ] || { echo "infra-tools: .tools/infra-venv/bin/$tool is missing after install" >&2; exit 1; }
  done
  printf '%s\n' "${pins[@]}" >"$stamp"
  echo "infra-tools: installed .tools/infra-venv"
fi

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
