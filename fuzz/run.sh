#!/usr/bin/env bash
# Runs the fuzz targets one after the other (`make fuzz`), each for FUZZ_SECONDS (default 600),
# over the committed corpus (fuzz/corpus/<target>/) and the seeds of fuzz/seed.py; new inputs go
# to the scratch fuzz/work/<target>/. Prints per target what libFuzzer's final stats say:
# executions, coverage (`cov:` edges, `ft:` features) and crashes. A crash's input is copied to
# fuzz/regressions/<target>/, where the normal test suite replays it (fuzz_replay) until fixed.
#
#   fuzz/run.sh                 run FUZZ_TARGETS (default: all five); FUZZ_ARGS: more libFuzzer flags
#   fuzz/run.sh cmin            fold fuzz/work/<target>/ into the committed corpus, minimised
#
# Exit status 1 if any target crashed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ALL_TARGETS="events_decode invoice_validate render_valid api_request template_read"
TARGETS="${FUZZ_TARGETS:-$ALL_TARGETS}"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-600}"
FUZZ=(cargo +nightly fuzz)

python3 fuzz/seed.py

if [ "${1:-run}" = cmin ]; then
  for target in $TARGETS; do
    merged="fuzz/work/$target.merged"
    rm -rf "$merged" && mkdir -p "$merged" "fuzz/corpus/$target"
    # -set_cover_merge=1 keeps a small set of inputs that covers every edge of them all
    # (-use_counters=0: edges, not hit counts; the committed corpus stays a few hundred KB).
    "${FUZZ[@]}" run -O "$target" "$merged" "fuzz/corpus/$target" "fuzz/work/$target" -- \
      -set_cover_merge=1 -use_counters=0 -close_fd_mask=1 2>&1 | grep -E '^MERGE-OUTER: [0-9]+ new files' || true
    rm -rf "fuzz/corpus/$target" && mv "$merged" "fuzz/corpus/$target"
    printf '%-18s %4d inputs %8d bytes\n' "$target" "$(ls "fuzz/corpus/$target" | wc -l)" \
      "$(cat "fuzz/corpus/$target"/* | wc -c)"
  done
  exit 0
fi

"${FUZZ[@]}" build -O >/dev/null
summary=""
crashed=0
for target in $TARGETS; do
  mkdir -p "fuzz/work/$target" "fuzz/corpus/$target" "fuzz/artifacts/$target"
  log="fuzz/work/$target.log"
  before=$(ls "fuzz/artifacts/$target" | sort)
  echo "fuzz: $target for ${SECONDS_PER_TARGET}s (log: $log)"
  # -close_fd_mask=1: the API's EMF metric lines on stdout would be most of the work.
  status=0
  "${FUZZ[@]}" run -O "$target" "fuzz/work/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=30 -print_final_stats=1 -close_fd_mask=1 \
    ${FUZZ_ARGS:-} >"$log" 2>&1 || status=$?
  new=$(comm -13 <(echo "$before") <(ls "fuzz/artifacts/$target" | sort) | grep -v '^$' || true)
  crashes=0
  if [ -n "$new" ]; then
    mkdir -p "fuzz/regressions/$target"
    for artifact in $new; do
      cp "fuzz/artifacts/$target/$artifact" "fuzz/regressions/$target/$artifact"
      echo "fuzz: $target: found fuzz/regressions/$target/$artifact" >&2
      crashes=$((crashes + 1))
    done
  elif [ "$status" -ne 0 ]; then
    echo "fuzz: $target exited with status $status without an artifact; see $log" >&2
    crashes=1
  fi
  [ "$crashes" -eq 0 ] || crashed=1
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  final=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$final")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$final")
  summary+=$(printf '%-18s %6ss %12s %8s %8s %8s' "$target" "$SECONDS_PER_TARGET" \
    "${execs:-?}" "${cov:-?}" "${ft:-?}" "$crashes")$'\n'
done

printf '%-18s %7s %12s %8s %8s %8s\n' target seconds executions cov ft crashes
printf '%s' "$summary"
exit "$crashed"
