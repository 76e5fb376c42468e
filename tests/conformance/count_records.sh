#!/usr/bin/env bash
# Conformance of the capture readers against the tshark oracle: for every
# capture in shared/captures/MANIFEST.tsv, counts the records pktwatch's
# reader delivers three ways (mmap'd file, memory buffer, stream from a pipe)
# and compares with the `packets` column; where expected/<file>/frames.tsv
# exists, also compares every record's timestamp, wire length and captured
# length with tshark's frame.time_epoch, frame.len and frame.cap_len.
#
# Expected statuses: 0 (clean end) for every file except the zero-byte file
# (format error, -2: "not a pcap or pcapng file") and files whose
# expected/.../stderr.txt says "cut short" (-3, after all complete records).
#
# usage: tests/conformance/count_records.sh [BUILD_DIR] [CAPTURES_DIR]
#   COUNT_RECORDS=PATH  use this count_records binary instead of building
#                       BUILD_DIR/tools/count_records
# Prints one PASS/FAIL line per capture and a summary; exits 1 on a failure.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-build}
CAPS=${2:-${PW_CAPTURES:-$ROOT/../shared/captures}}
[ -d "$CAPS" ] || CAPS=/work/shared/captures
cd "$ROOT"
BIN=${COUNT_RECORDS:-}
if [ -z "$BIN" ]; then
    make -s "$B/tools/count_records" >/dev/null || { echo "FAIL build count_records"; exit 1; }
    BIN="$ROOT/$B/tools/count_records"
fi
export TZ=UTC LC_ALL=C

# tshark prints a nanosecond field >= 2^31 as a negative fraction (it holds it
# in a signed int); we keep the file's unsigned value. Known, documented
# difference, so only lengths are compared for these files.
declare -A TS_EXCEPT=( [tcpdump/timestamp_invalid_nano.pcap]=1
                       [ndpi/fuzz-2021-06-07-c6c72a0a56.pcap]=1 )

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A private copy: a concurrent `make` in the same build tree may relink the
# original while we run.
cp "$BIN" "$tmp/count_records" || { echo "FAIL copy count_records"; exit 1; }
TOOL="$tmp/count_records"
pass=0 fail=0 recs=0
cd "$CAPS"
# awk, not `read`: read would merge the empty link_type column of the
# zero-byte file with its neighbours.
while IFS=$'\x1f' read -r file format packets; do
    want_rc=0
    [ "$format" = empty-file ] && want_rc=-2
    if [ -f "expected/$file/stderr.txt" ] && grep -q 'cut short' "expected/$file/stderr.txt"; then
        want_rc=-3
    fi
    why=""
    for mode in file mem stream; do
        case $mode in
        file) line=$("$TOOL" "$file" | tail -1) ;;
        mem) line=$("$TOOL" -m "$file" | tail -1) ;;
        stream) line=$(cat "$file" | "$TOOL" - | tail -1) ;;
        esac
        n=$(printf '%s' "$line" | cut -f2)
        rc=$(printf '%s' "$line" | cut -f3)
        if [ "$n" != "$packets" ]; then why+=" $mode: $n records, want $packets;"; fi
        if [ "$rc" != "$want_rc" ]; then why+=" $mode: status $rc, want $want_rc ($(printf '%s' "$line" | cut -f4));"; fi
    done
    if [ -f "expected/$file/frames.tsv" ]; then
        # tshark's -T fields shows frame.len above INT32_MAX as INT32_MAX
        # (its statistics use the real value), so clamp ours the same way.
        "$TOOL" -t "$file" | grep -v '^# ' |
            awk -F'\t' -v OFS='\t' '{ if ($2 > 2147483647) $2 = 2147483647; print }' > "$tmp/ours"
        tail -n +2 "expected/$file/frames.tsv" | cut -f2-4 > "$tmp/theirs"
        if [ -n "${TS_EXCEPT[$file]:-}" ]; then
            cut -f2- "$tmp/ours" > "$tmp/o2" && mv "$tmp/o2" "$tmp/ours"
            cut -f2- "$tmp/theirs" > "$tmp/t2" && mv "$tmp/t2" "$tmp/theirs"
        fi
        if ! cmp -s "$tmp/ours" "$tmp/theirs"; then
            why+=" time/len/caplen differ: $(diff "$tmp/ours" "$tmp/theirs" | head -3 | tr '\n' ' ');"
        fi
    fi
    if [ -z "$why" ]; then
        echo "PASS count_records: $file ($packets)"
        pass=$((pass + 1))
        recs=$((recs + packets))
    else
        echo "FAIL count_records: $file:$why"
        fail=$((fail + 1))
    fi
done < <(awk -F'\t' 'NR > 1 { printf "%s\x1f%s\x1f%s\n", $1, $7, $9 }' MANIFEST.tsv)
echo "count_records: $pass passed, $fail failed ($recs records matched)"
[ "$fail" -eq 0 ]
