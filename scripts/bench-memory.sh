#!/usr/bin/env bash
# Peak resident memory of `paperflow render` on the 600-line invoice (target: at most 40 MB),
# and the size of the one-page PDF (target: at most 40 KB). Uses getrusage of the child, the
# same figure `/usr/bin/time -v` prints as "Maximum resident set size".
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p paperflow-cli
bin=target/release/paperflow
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

python3 - "$bin" "$out" <<'PY'
import os, subprocess, sys
binary, out = sys.argv[1], sys.argv[2]
def peak_rss_mb(args):
    # wait4 gives the rusage of this one child, not the maximum over all children.
    child = subprocess.Popen(args, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"{args} failed with {child.returncode}")
    return usage.ru_maxrss / 1024
runs = sorted(peak_rss_mb([binary, "render", "samples/invoice-600-lines.json", "-o", f"{out}/long.pdf"]) for _ in range(5))
print(f"peak RSS, paperflow render of the 600-line invoice: median {runs[2]:.1f} MB over 5 runs (target <= 40 MB)")
subprocess.run([binary, "render", "samples/invoice-small.json", "-o", f"{out}/small.pdf"], check=True, stderr=subprocess.DEVNULL)
size = os.path.getsize(f"{out}/small.pdf")
print(f"one-page PDF (samples/invoice-small.json): {size / 1024:.1f} KB (target <= 40 KB)")
PY
