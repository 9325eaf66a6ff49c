#!/usr/bin/env bash
# `make package`: the functions named as arguments, built as Lambda runs them (arm64, release)
# and the way `sam build` builds them, then `sam build` itself, which proves it runs without a
# prompt and finds cargo's cache warm; then each SAM bootstrap compared with cargo-lambda's zip.
#
# Why one function at a time: SAM's rust-cargolambda builder (aws-lambda-builders,
# workflows/rust_cargo) runs `cargo lambda build --release --arm64 --bin NAME` in each
# function's CodeUri folder, with CARGO_TARGET_DIR set to the workspace's target/. Cargo
# resolves features for the packages it builds, so one `-p a -p b -p c -p d` build unifies the
# four functions' features and leaves artefacts that SAM's per-function builds do not reuse:
# SAM compiled the AWS SDK again for each function. Built here with SAM's own command, folder
# and target directory, SAM's builds find every unit fresh and only copy the binary.
#
# SKIP_SAM_BUILD=1 stops after the zips (no SAM CLI needed). `--print-commands` prints the cargo
# command of each function and exits (infra/tests/test_package.py holds it to SAM's).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$root/.tools/venv/bin:$PATH"
# Where SAM's builder puts it too: the workspace's target/ unless CARGO_TARGET_DIR says otherwise.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

print_only=false
if [ "${1:-}" = "--print-commands" ]; then
    print_only=true
    shift
fi
test "$#" -gt 0 || { echo "usage: scripts/package.sh [--print-commands] FUNCTION..." >&2; exit 2; }

# SAM's command for a function whose BuildProperties name `Binary: NAME` (provided.al2023,
# arm64, not a debug build), plus the zip that Lambda is given.
build_command() {
    echo "cargo lambda build --release --arm64 --bin $1 --output-format zip"
}

built=()
for function in "$@"; do
    if [ ! -f "$root/functions/$function/Cargo.toml" ]; then
        echo "package: functions/$function does not exist yet, skipped"
        continue
    fi
    if $print_only; then
        echo "functions/$function: $(build_command "$function")"
        continue
    fi
    echo "package: functions/$function: $(build_command "$function")"
    started=$SECONDS
    (cd "$root/functions/$function" && $(build_command "$function"))
    echo "package: $function built in $((SECONDS - started)) s"
    built+=("$function")
done
$print_only && exit 0
test "${#built[@]}" -gt 0 || { echo "package: no function crate exists" >&2; exit 1; }

for function in "${built[@]}"; do
    zip="$CARGO_TARGET_DIR/lambda/$function/bootstrap.zip"
    test -f "$zip" || { echo "package: $zip is missing" >&2; exit 1; }
    printf '%-16s %10d bytes  %s\n' "$function" "$(stat -c %s "$zip")" "${zip#"$root"/}"
done

if [ "${SKIP_SAM_BUILD:-0}" = 1 ]; then
    echo "package: SKIP_SAM_BUILD=1: sam build not run"
    exit 0
fi
started=$SECONDS
"$root/scripts/sam-build.sh"
echo "package: sam build took $((SECONDS - started)) s"

# Each function SAM built against the zip built above: the same bootstrap, byte for byte.
python3 - "$root/infra/sam/.aws-sam" "$CARGO_TARGET_DIR/lambda" "${built[@]}" <<'EOF'
import hashlib, pathlib, sys, tomllib, zipfile

sam_dir, lambda_dir, built = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3:]
definitions = tomllib.loads((sam_dir / "build.toml").read_text())["function_build_definitions"]
by_crate = {}
for definition in definitions.values():
    crate = pathlib.Path(definition["codeuri"]).name
    by_crate.setdefault(crate, []).extend(definition.get("functions", []))

differ = []
print(f"{'function':<16} {'sam build bootstrap':>20} {'cargo-lambda zip bootstrap':>27}  same")
for crate in built:
    ours = zipfile.ZipFile(lambda_dir / crate / "bootstrap.zip").read("bootstrap")
    logical_ids = by_crate.get(crate)
    if not logical_ids:
        differ.append(f"{crate}: sam build built no function from functions/{crate}")
        continue
    for logical_id in logical_ids:
        sam = (sam_dir / "build" / logical_id / "bootstrap").read_bytes()
        same = hashlib.sha256(sam).digest() == hashlib.sha256(ours).digest()
        print(f"{crate:<16} {len(sam):>14} bytes {len(ours):>21} bytes  {'yes' if same else 'NO'}")
        if not same:
            differ.append(f"{crate}: {logical_id}'s bootstrap differs from bootstrap.zip's")
if differ:
    sys.exit("package: " + "; ".join(differ))
EOF
