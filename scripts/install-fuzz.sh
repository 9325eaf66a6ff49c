#!/usr/bin/env bash
# Installs what `make fuzz` uses, skipping what is already there.
# Idempotent: a second run installs nothing and takes a second.
#
#   nightly toolchain   libFuzzer's instrumentation (-Zsanitizer) needs nightly rustc
#   cargo-fuzz          `cargo fuzz run/cmin`: builds the targets in fuzz/ and drives libFuzzer
set -euo pipefail

if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
