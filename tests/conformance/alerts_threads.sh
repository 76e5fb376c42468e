#!/usr/bin/env bash
# `pktwatch alerts` gives the same output whether flows are classified on a
# worker thread (--threads 2) or inline (--threads 1): for every capture
# under DIR (and the files in $PW_EXTRA), `--json --flows` (with
# ALERTS_THREADS_ALL=1 also the text report, --json and --flows alone),
# standard error and the exit status must be byte-identical. With
# PW_REF set to another pktwatch binary (one built before the worker
# existed, say), its default output must match too.
#
# Prints one FAIL line per difference and a closing count; exits non-zero
# on a failure. Skips (exit 0) when DIR does not exist.
#   tests/conformance/alerts_threads.sh DIR [BUILD_DIR]
#   PW_REF=/path/to/old/pktwatch PW_EXTRA="/tmp/g200k.pcap" JOBS=2 ...
#   (JOBS: captures checked at once, default 2)
set -u
DIR=${1:?usage: alerts_threads.sh CAPTURE_DIR [BUILD_DIR]}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${2:-$ROOT/build}
P="$B/pktwatch"
REF=${PW_REF:-}
export TZ=UTC LC_ALL=C
if [ ! -d "$DIR" ]; then
    echo "SKIP alerts_threads: no capture directory $DIR"
    exit 0
fi
[ -x "$P" ] || { echo "FAIL alerts_threads: no $P"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# one capture: every variant, each binary; prints FAIL lines, then "n ok" or "n bad"
check() {
    local f=$1 d bad=0 i=0
    d=$(mktemp -d "$tmp/c.XXXXXX")
    local vs
    IFS='|' read -ra vs <<< "$VARIANTS"
    for v in "${vs[@]}"; do
        i=$((i + 1))
        # shellcheck disable=SC2086
        timeout 600 "$P" alerts --threads 1 $v "$f" > "$d/1.$i.out" 2> "$d/1.$i.err"
        echo "rc=$?" >> "$d/1.$i.err"
        # shellcheck disable=SC2086
        timeout 600 "$P" alerts --threads 2 $v "$f" > "$d/2.$i.out" 2> "$d/2.$i.err"
        echo "rc=$?" >> "$d/2.$i.err"
        if ! cmp -s "$d/1.$i.out" "$d/2.$i.out" || ! cmp -s "$d/1.$i.err" "$d/2.$i.err"; then
            echo "FAIL alerts_threads: $f alerts $v: --threads 1 and 2 differ"
            bad=1
        fi
        if [ -n "$REF" ]; then
            # shellcheck disable=SC2086
            timeout 600 "$REF" alerts $v "$f" > "$d/r.$i.out" 2> "$d/r.$i.err"
            echo "rc=$?" >> "$d/r.$i.err"
            if ! cmp -s "$d/1.$i.out" "$d/r.$i.out" || ! cmp -s "$d/1.$i.err" "$d/r.$i.err"; then
                echo "FAIL alerts_threads: $f alerts $v: differs from $REF"
                bad=1
            fi
        fi
    done
    rm -rf "$d"
    if [ $bad = 0 ]; then echo "RESULT ok"; else echo "RESULT bad"; fi
}
# The thread mode changes data, not formatting: by default one variant
# (JSON with the flow list) carries every alert and every flow's
# classification; ALERTS_THREADS_ALL=1 compares the text and JSON forms
# with and without --flows as well.
# ('|' separates the variants: functions run by xargs see no arrays)
if [ -n "${ALERTS_THREADS_ALL:-}" ]; then
    VARIANTS="|--json|--flows|--json --flows"
else
    VARIANTS="--json --flows"
fi
export -f check
export P REF tmp VARIANTS

{
    find "$DIR" \( -name '*.pcap*' -o -name '*.cap' \) -type f | sort
    for f in ${PW_EXTRA:-}; do [ -f "$f" ] && echo "$f"; done
} | xargs -d '\n' -n 1 -P "${JOBS:-2}" bash -c 'check "$1"' _ > "$tmp/log"
grep -v '^RESULT' "$tmp/log"
ok=$(grep -c '^RESULT ok' "$tmp/log")
bad=$(grep -c '^RESULT bad' "$tmp/log")
echo "alerts_threads: $ok captures identical, $bad differ"
[ "$bad" = 0 ]
