#!/usr/bin/env bash
# The pdf-generator's deployment package: builds it as Lambda runs it (arm64, release profile,
# zipped by cargo-lambda) and prints the zip's size. Target: at most 3 MB (3,000,000 bytes);
# issue 13's bound: at most 5.5 MB (5,500,000 bytes), which `make package` reports too.
#
# Needs cargo-lambda and zig from the project's virtualenv (scripts/install-tools.sh, `make
# tools`). A release build with LTO and one codegen unit takes several minutes on 2 cores.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target_max=3000000
issue_13_max=5500000

if [ ! -x .tools/venv/bin/cargo-lambda ]; then
  echo "bench-zip-size: .tools/venv/bin/cargo-lambda is missing: run scripts/install-tools.sh" >&2
  exit 1
fi
# cargo-lambda finds zig (python-zig) on PATH.
export PATH="$root/.tools/venv/bin:$PATH"

# (Not `rustup … | grep -q`: with pipefail, grep's early exit would fail the pipeline.)
if ! grep -q aarch64-unknown-linux-gnu <<<"$(rustup target list --installed)"; then
  rustup target add aarch64-unknown-linux-gnu
fi

.tools/venv/bin/cargo-lambda lambda build --release --arm64 --output-format zip -p pdf-generator

zip="${CARGO_TARGET_DIR:-$root/target}/lambda/pdf-generator/bootstrap.zip"
bytes="$(stat -c %s "$zip")"
unzipped="$(python3 -c 'import sys, zipfile; print(sum(i.file_size for i in zipfile.ZipFile(sys.argv[1]).infolist()))' "$zip")"
verdict="ok"
[ "$bytes" -le "$target_max" ] || verdict="OVER"
awk -v b="$bytes" -v u="$unzipped" -v z="$zip" 'BEGIN {
  printf "pdf-generator deployment zip: %s\n", z
  printf "  %d bytes = %.2f MB zipped (bootstrap %.2f MB unzipped)\n", b, b / 1e6, u / 1e6
}'
echo "  target ≤ 3 MB: $verdict"
issue_13="ok"
[ "$bytes" -le "$issue_13_max" ] || issue_13="OVER"
echo "  issue 13's bound ≤ 5.5 MB: $issue_13"
