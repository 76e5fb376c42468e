#!/usr/bin/env bash
# Runs every built libFuzzer target BUILD_DIR/fuzz_* for SECONDS seconds on
# its seed corpus fuzz/corpus/<target>/ and prints one PASS/FAIL line per
# target. Exits 1 if any target found something (crash, leak, timeout, OOM)
# or could not run.
#
#   usage: fuzz/run.sh [BUILD_DIR [SECONDS]]     (make fuzz-run does this)
#   FUZZ_JOBS=2      run two targets at a time (at most 2: shared machine)
#   FUZZ_TARGETS="fuzz_pcap fuzz_pcapng"   only these targets
#   PW_CAPTURES=DIR  capture corpus used to seed empty corpus directories
#                    (default: ../shared/captures, then /work/shared/captures)
#
# A dictionary fuzz/<target>.dict is used when it exists.
# The committed seeds are only read: new inputs go to BUILD_DIR/corpus/
# <target>/, crash inputs to BUILD_DIR/artifacts/, logs to BUILD_DIR/logs/.
# A target whose fuzz/corpus/<target>/ is missing or empty is seeded with
# the captures smaller than 20 KB listed in the corpus MANIFEST.tsv (pcap
# files only for fuzz_pcap, pcapng only for fuzz_pcapng, both otherwise).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
B=${1:-build/fuzz}
SECS=${2:-60}
JOBS=${FUZZ_JOBS:-1}
[ "$JOBS" -gt 2 ] 2>/dev/null && JOBS=2
[ "$JOBS" -lt 1 ] 2>/dev/null && JOBS=1
CAPS=${PW_CAPTURES:-$ROOT/../shared/captures}
[ -f "$CAPS/MANIFEST.tsv" ] || CAPS=/work/shared/captures

seed_from_captures() { # target dir
    local t=$1 dir=$2 want=
    case $t in
    fuzz_pcap) want=pcap ;;
    fuzz_pcapng) want=pcapng ;;
    esac
    [ -f "$CAPS/MANIFEST.tsv" ] || return 0
    mkdir -p "$dir"
    awk -F'\t' -v want="$want" 'NR > 1 && $6 < 20480 && $6 > 0 &&
        (want == "" || $7 == want) { print $1 }' "$CAPS/MANIFEST.tsv" |
        while read -r f; do cp "$CAPS/$f" "$dir/$(printf '%s' "$f" | tr / _)"; done
}

run_one() { # target -> prints the result line
    local exe=$1 t
    t=$(basename "$exe")
    local seeds=fuzz/corpus/$t work=$B/corpus/$t log=$B/logs/$t.log
    if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds" 2>/dev/null)" ]; then
        seed_from_captures "$t" "$seeds"
    fi
    mkdir -p "$work" "$B/artifacts" "$B/logs"
    rm -f "$B/artifacts/$t-"*
    local dict=()
    [ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
    "$exe" -max_total_time="$SECS" -timeout=25 -print_final_stats=1 "${dict[@]}" \
        -artifact_prefix="$B/artifacts/$t-" "$work" "$seeds" > "$log" 2>&1
    local rc=$?
    local runs cov corpus arts
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
    corpus=$(ls "$work" | wc -l)
    arts=$(ls "$B/artifacts/$t-"* 2>/dev/null | tr '\n' ' ')
    if [ $rc -eq 0 ] && [ -z "$arts" ]; then
        echo "PASS $t: ${runs:-?} runs in ${SECS}s, ${cov:-cov ?}, corpus $corpus, no finding"
    else
        echo "FAIL $t: exit $rc ${arts:+artifacts: $arts}(log: $log)"
        grep -m1 -E 'ERROR: |runtime error|deadly signal' "$log" | sed 's/^/    /'
    fi
}

targets=()
for exe in "$B"/fuzz_*; do
    [ -x "$exe" ] || continue
    t=$(basename "$exe")
    if [ -n "${FUZZ_TARGETS:-}" ] && ! printf ' %s ' $FUZZ_TARGETS | grep -q " $t "; then
        continue
    fi
    targets+=("$exe")
done
if [ ${#targets[@]} -eq 0 ]; then
    echo "FAIL fuzz: no fuzz targets in $B (run make fuzz)"
    exit 1
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
running=0
for exe in "${targets[@]}"; do
    run_one "$exe" >> "$out" &
    running=$((running + 1))
    if [ $running -ge "$JOBS" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait
sort "$out"
pass=$(grep -c '^PASS' "$out")
fail=$(grep -c '^FAIL' "$out")
echo "fuzz: $pass passed, $fail failed (${SECS}s each)"
[ "$fail" -eq 0 ]
