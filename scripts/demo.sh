#!/usr/bin/env bash
# `make demo`: the whole pipeline on this machine, then down again.
#
# Starts `paperflow local` (moto, the functions under cargo lambda watch, the event source
# mappings and the HTTP API, all from infra/sam/template.yaml), lets scripts/demo.py publish
# the samples and call the API, and stops the stack with Ctrl-C's signal whatever happened.
# Exits 0 only if every expected outcome happened and the stack stopped cleanly.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${OUT:-out}"
state_dir="target/paperflow-local-demo"
target_dir="${CARGO_TARGET_DIR:-target}"
paperflow="$target_dir/debug/paperflow"

cargo build --quiet -p paperflow-cli
mkdir -p "$state_dir" "$out"
rm -f "$state_dir/stack.json"

"$paperflow" local --state-dir "$state_dir" 2> "$state_dir/stack.log" &
stack=$!
stop_stack() {
  if kill -0 "$stack" 2>/dev/null; then
    kill -INT "$stack"
    wait "$stack" || true
  fi
}
trap stop_stack EXIT

echo "demo: starting the local stack (the first run builds the functions: minutes); log: $state_dir/stack.log"
deadline=$((SECONDS + 1200))
until [ -f "$state_dir/stack.json" ]; do
  if ! kill -0 "$stack" 2>/dev/null; then
    echo "demo: the stack stopped before it was ready:" >&2
    tail -n 30 "$state_dir/stack.log" >&2
    exit 1
  fi
  if [ "$SECONDS" -gt "$deadline" ]; then
    echo "demo: the stack was not ready in 20 minutes" >&2
    exit 1
  fi
  sleep 1
done
# What came up: the steps, the resources left out and why, and the endpoints.
grep -E "^(•|    |  not emulated|  [0-9]+ resource properties)" "$state_dir/stack.log" || true
echo

status=0
PYTHONPATH=scripts .tools/venv/bin/python scripts/demo.py \
  --state "$state_dir/stack.json" --out "$out" --paperflow "$paperflow" || status=$?

echo
echo "demo: what the functions did (the stack's log, $state_dir/stack.log):"
grep -E "^ *(sqs|sns|http) " "$state_dir/stack.log" | tail -n 25 || true
trap - EXIT
stop_stack
sed -n '/^• stopping/,$p' "$state_dir/stack.log"
exit "$status"
