#!/usr/bin/env bash
# Installs LocalStack (community, no Docker) into .tools/localstack-venv, skipping what is there.
# Idempotent: a second run installs nothing and takes well under a second.
#
# LocalStack is the second emulator the local stack is tested against (moto is the first): two
# emulators that no one here wrote agreeing is the best stand-in for AWS this machine has.
# It runs on Python 3.13 (the version its pins were found to work with), which the machine's
# python3 need not be: the interpreter comes from pyenv (`pyenv prefix 3.13`) or from
# `python3.13` on PATH, or PAPERFLOW_PYTHON313 names one.
#
# Pins, and why each one:
#   localstack-core[runtime]==2026.3.0  the emulator itself, with what its runtime needs to serve
#   cbor2==5.6.5                        the release the runtime was found to work with here
#   service_identity==24.1.0, pyasn1, pyasn1_modules  its TLS stack's certificate checks
#   cryptography==43.0.3, pyOpenSSL==24.2.1  installed with --no-deps after the rest: the pair that
#                                       works with that runtime; their declared dependencies would
#                                       pull other versions back in
#
# Tests start it themselves, on 127.0.0.1 only (tools/local/src/localstack.rs says how, and
# docs/EMULATORS.md why each setting).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.tools/localstack-venv"

pins=(
  "localstack-core[runtime]==2026.3.0"
  "cbor2==5.6.5"
  "service_identity==24.1.0"
  "pyasn1"
  "pyasn1_modules"
)
no_deps_pins=(
  "cryptography==43.0.3"
  "pyOpenSSL==24.2.1"
)
pins_hash="$(printf '%s\n' "${pins[@]}" -- "${no_deps_pins[@]}" | sha256sum | cut -c1-16)"
stamp="$venv/.installed-$pins_hash"

if [ -f "$stamp" ] && "$venv/bin/python" -c "" >/dev/null 2>&1; then
  echo "localstack: .tools/localstack-venv present (localstack-core 2026.3.0)"
  exit 0
fi

find_python313() {
  if [ -n "${PAPERFLOW_PYTHON313:-}" ]; then
    echo "$PAPERFLOW_PYTHON313"
    return
  fi
  if command -v pyenv >/dev/null 2>&1; then
    local prefix
    prefix="$(pyenv prefix 3.13 2>/dev/null || true)"
    if [ -n "$prefix" ] && [ -x "$prefix/bin/python3.13" ]; then
      echo "$prefix/bin/python3.13"
      return
    fi
    # `pyenv prefix 3.13` needs an exact version name on some pyenv releases: take the newest 3.13.x.
    local newest
    newest="$(ls -d "$(pyenv root)"/versions/3.13.* 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -n "$newest" ] && [ -x "$newest/bin/python3.13" ]; then
      echo "$newest/bin/python3.13"
      return
    fi
  fi
  # A pyenv shim answers `command -v` even when no 3.13 is installed; ask it to run.
  if command -v python3.13 >/dev/null 2>&1 && python3.13 -c "" >/dev/null 2>&1; then
    command -v python3.13
  fi
}

python="$(find_python313)"
if [ -z "$python" ]; then
  cat >&2 <<'EOF'
localstack: no Python 3.13 found. LocalStack 2026.3 needs one. Any of these works:
  pyenv install 3.13          (then this script finds it through `pyenv prefix 3.13`)
  apt-get install python3.13 python3.13-venv  (where the distribution has it)
  PAPERFLOW_PYTHON313=/path/to/python3.13 scripts/install-localstack.sh
EOF
  exit 1
fi

# A venv whose python no longer runs (the interpreter it was made from is gone) is made anew.
if [ -d "$venv" ] && ! "$venv/bin/python" -c "" >/dev/null 2>&1; then
  rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$root/.tools"
  "$python" -m venv "$venv"
fi

echo "localstack: installing into .tools/localstack-venv with $("$python" --version): ${pins[*]}; ${no_deps_pins[*]} (--no-deps)"
rm -f "$venv"/.installed-*
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "${no_deps_pins[@]}"
"$venv/bin/python" -c "import localstack.runtime.main" ||
  { echo "localstack: localstack.runtime.main does not import after install" >&2; exit 1; }
printf '%s\n' "${pins[@]}" -- "${no_deps_pins[@]}" >"$stamp"
echo "localstack: installed .tools/localstack-venv (localstack-core 2026.3.0)"
