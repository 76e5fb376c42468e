#!/usr/bin/env bash
# make bench: throughput of pktwatch on a large generated capture, next to
# the cost of simply reading the file and next to tshark/capinfos when they
# are installed. Prints one line per measurement; docs/PERFORMANCE.md records
# the figures with this command.
#   bench/run.sh [BUILD_DIR]     (BENCH_PACKETS=N to change the capture size)
set -u
B=${1:-build}
cd "$(dirname "$0")/.."
mkdir -p build/bench
BIG=build/bench/big.pcap
N=${BENCH_PACKETS:-2000000}
if [ ! -f "$BIG" ] || [ "$(cat build/bench/big.n 2>/dev/null)" != "$N" ]; then
    echo "generating $BIG ($N packets)..."
    "$B/tools/gen" -n "$N" "$BIG" || exit 1
    echo "$N" > build/bench/big.n
fi
SIZE=$(stat -c %s "$BIG")
echo "capture: $BIG, $N packets, $SIZE bytes"
cat "$BIG" > /dev/null  # warm the page cache so every run reads from memory

# the file a measurement's best time is kept in
key() { printf '%s' "$1" | tr -c 'a-z0-9' _; }

# measure NAME CMD...: best wall time of 3 runs, and peak RSS
measure() {
    local name=$1; shift
    local best="" rss=0
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %M" -o build/bench/time.out "$@" > /dev/null 2> build/bench/err.out
        read -r t m < build/bench/time.out
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$t; fi
        [ "$m" -gt "$rss" ] && rss=$m
    done
    awk -v n="$name" -v t="$best" -v p="$N" -v s="$SIZE" -v m="$rss" 'BEGIN {
        if (t == 0) t = 0.001;
        printf "%-44s %8.2f s %12.0f pkt/s %9.1f MB/s %8.1f MB peak RSS\n", n, t, p / t, s / 1e6 / t, m / 1024 }'
    echo "$best" > "build/bench/last.$(key "$name")"
}

measure "read records only (walk --records)" "$B/tools/walk" --records "$BIG"
measure "full dissection pass (walk --dissect)" "$B/tools/walk" --dissect "$BIG"
measure "pktwatch info --no-hashes" "$B/pktwatch" info --no-hashes "$BIG"
measure "pktwatch info (with digests)" "$B/pktwatch" info "$BIG"
if command -v capinfos > /dev/null; then
    measure "capinfos (reference)" capinfos "$BIG"
fi
rec=$(cat "build/bench/last.$(key "read records only (walk --records)")")
dis=$(cat "build/bench/last.$(key "full dissection pass (walk --dissect)")")
awk -v r="$rec" -v d="$dis" 'BEGIN { printf "dissection speed / record-walk speed = %.2f (target >= 0.33)\n", r / d }'

for extra in bench/[a-z]*.sh; do
    [ "$extra" = bench/run.sh ] && continue
    [ -f "$extra" ] && bash "$extra" "$B" "$BIG"
done
