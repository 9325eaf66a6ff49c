#!/usr/bin/env bash
# Builds the four functions the way `sam deploy` ships them: `sam build` on
# infra/sam/template.yaml (BuildMethod rust-cargolambda: `cargo lambda build --release --arm64`
# per function), without a prompt. Independent of the Makefile; extra arguments go to `sam build`
# (e.g. `scripts/sam-build.sh PdfGeneratorFunction`).
#
# Needs: the SAM CLI (.tools/infra-venv, `make infra-tools`), cargo-lambda and zig (.tools/venv,
# `make tools`), and Rust's aarch64-unknown-linux-gnu standard library
# (`rustup target add aarch64-unknown-linux-gnu`, which downloads it once).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$root/.tools/venv/bin:$root/.tools/infra-venv/bin:$PATH"
export SAM_CLI_TELEMETRY=0
# Only for SAM CLI releases from before December 2025, where rust-cargolambda was a beta build
# method (see infra/sam/samconfig.toml); later releases, the pinned 1.170.0 among them, ignore it.
export SAM_CLI_BETA_RUST_CARGO_LAMBDA=1

for tool in sam cargo-lambda; do
    command -v "$tool" >/dev/null || { echo "sam-build: $tool not found (make tools infra-tools)" >&2; exit 1; }
done
if ! rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu; then
    echo "sam-build: the aarch64-unknown-linux-gnu target is not installed;" \
         "run: rustup target add aarch64-unknown-linux-gnu" >&2
    exit 1
fi

cd "$root/infra/sam"
# stdin closed: should anything still ask, it fails instead of waiting.
exec sam build --config-file samconfig.toml "$@" </dev/null
