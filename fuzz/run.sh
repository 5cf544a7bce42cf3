#!/usr/bin/env bash
# Builds the libFuzzer targets (the fuzz preset: clang-15, ASan and UBSan,
# build/fuzz) and runs each for SECONDS (default 60), one after the other.
# Each run starts from the target's seeds in fuzz/corpus/<target>/ and keeps
# what it learns in build/fuzz/runs/<target>/corpus, so the repository stays
# clean and a longer run (fuzz/run.sh 3600) builds on the shorter ones. A
# crash, leak, timeout, out-of-memory or sanitizer report fails the script;
# it prints the reproducer and how to replay it.
#
#   fuzz/run.sh [SECONDS] [TARGET...]   targets: http_request json_body
#                                        event_router page_token mail
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-60}
shift $(($# > 0 ? 1 : 0))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(http_request json_body event_router page_token mail)

bash scripts/packages.sh clang-15 libfuzzer-15-dev

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

# halt_on_error: the first report ends the run with the input saved.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Sanitizers find llvm-symbolizer only when told where (stacks with names).
symbolizer=$(command -v llvm-symbolizer-15 || command -v llvm-symbolizer || true)
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$symbolizer}
failed=()
for target in "${targets[@]}"; do
  binary=build/fuzz/fuzz/fuzz_$target
  seeds=fuzz/corpus/$target
  if [ ! -x "$binary" ] || [ ! -d "$seeds" ] || [ ! -f "fuzz/dict/$target.dict" ]; then
    echo "fuzz: no target '$target'" >&2
    exit 2
  fi
  work=build/fuzz/runs/$target
  mkdir -p "$work/corpus" "$work/artifacts"
  log=$work/fuzz.log
  echo "fuzz: $target for $seconds s" >&2
  status=0
  # The work corpus first: libFuzzer adds new inputs to the first directory
  # only, and reads the seeds from the second.
  "$binary" "$work/corpus" "$seeds" -dict="fuzz/dict/$target.dict" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ "$status" -eq 0 ]; then
    echo "fuzz: $target passed, ${runs:-?} runs, corpus $(ls "$work/corpus" | wc -l) inputs" >&2
    continue
  fi
  failed+=("$target")
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
  echo "fuzz: $target FAILED (exit $status) after ${runs:-?} runs; the report:" >&2
  # From the first report line on, without the frames of libFuzzer and libc.
  sed -n -E '/==[0-9]+== ?ERROR|runtime error|fuzz invariant broken|terminate called/,$p' "$log" |
    grep -vE '^ +#[0-9]+ .* in (fuzzer::|__sanitizer|__libc|_start|main |abort|raise|__pthread)' |
    head -30 >&2
  echo "fuzz: reproducer: ${artifact:-none written, see $log}" >&2
  [ -z "$artifact" ] || echo "fuzz: replay it with: $binary $artifact" >&2
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: every target passed (${targets[*]}, $seconds s each)" >&2
