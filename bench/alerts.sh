#!/usr/bin/env bash
# make bench (called by bench/run.sh with BUILD_DIR and the big capture):
# what classification costs. `pktwatch alerts` (dissection, flow stage,
# application stage where the tap needs it, nDPI on the first packets of
# every flow on a worker thread, the alert tap) against `pktwatch stats -z
# io,phs` (the same pass with the protocol hierarchy tap) on the same file,
# and the overhead of alerts over stats (target: at most 20%, issue 6).
#
# The two commands run in alternation, ROUNDS times (default 5): on a
# shared virtual machine the speed of the whole machine drifts by tens of
# percent within minutes, so three runs of one command followed by three of
# the other compared two different machines. Printed: best and median wall
# time of each, CPU (user + system) of the median run, peak RSS, the
# overhead on the best and on the median times, and the median of the
# per-round overheads (each alerts run against the stats run right after
# it: the figure least moved by the machine's drift).
#   bench/alerts.sh BUILD_DIR CAPTURE      (ROUNDS=N to change the rounds)
set -u
B=${1:?usage: bench/alerts.sh BUILD_DIR CAPTURE}
CAP=${2:?usage: bench/alerts.sh BUILD_DIR CAPTURE}
ROUNDS=${ROUNDS:-5}
cd "$(dirname "$0")/.."
mkdir -p build/bench
N=$(cat build/bench/big.n 2>/dev/null || echo 0)
[ "$N" -gt 0 ] || N=1
if ! "$B/pktwatch" stats --help > /dev/null 2>&1; then
    echo "pktwatch stats not built: no comparison"
    exit 0
fi

RAW=build/bench/alerts.rounds
: > "$RAW"
run() { # NAME CMD...: one run, appended to RAW as "NAME wall rss_kb cpu"
    local name=$1 t m u y
    shift
    /usr/bin/time -f "%e %M %U %S" -o build/bench/alerts.time "$@" > /dev/null 2> build/bench/alerts.err
    read -r t m u y < build/bench/alerts.time
    echo "$name $t $m $(awk -v u="$u" -v y="$y" 'BEGIN{printf "%.2f", u + y}')" >> "$RAW"
}
for _ in $(seq "$ROUNDS"); do
    run alerts "$B/pktwatch" alerts "$CAP"
    run stats "$B/pktwatch" stats -z io,phs "$CAP"
done

# per command: best wall, median wall, CPU of the median run, peak RSS (KB)
stat_of() {
    grep "^$1 " "$RAW" | sort -k2,2n | awk '
        { w[NR] = $2; c[NR] = $4; if ($3 > rss) rss = $3 }
        END { m = int((NR + 1) / 2); print w[1], w[m], c[m], rss }'
}
line() { # LABEL BEST MEDIAN CPU RSS_KB
    awk -v n="$1" -v b="$2" -v m="$3" -v c="$4" -v k="$5" -v p="$N" 'BEGIN { if (b == 0) b = 0.001;
        printf "%-28s best %6.2f s  median %6.2f s  %10.0f pkt/s  %7.2f s CPU  %7.1f MB peak RSS\n",
            n, b, m, p / b, c, k / 1024 }'
}
read -r ab am ac ar < <(stat_of alerts)
read -r sb sm sc sr < <(stat_of stats)
line "pktwatch alerts" "$ab" "$am" "$ac" "$ar"
line "pktwatch stats -z io,phs" "$sb" "$sm" "$sc" "$sr"
awk -v ab="$ab" -v am="$am" -v ac="$ac" -v sb="$sb" -v sm="$sm" -v sc="$sc" -v r="$ROUNDS" 'BEGIN {
    if (sb == 0) sb = 0.001; if (sm == 0) sm = 0.001; if (sc == 0) sc = 0.001;
    printf "alerts overhead over stats -z io,phs (%d alternating rounds) = %+.1f%% best, %+.1f%% median wall (target <= 20%%), %+.1f%% CPU\n",
        r, 100 * (ab - sb) / sb, 100 * (am - sm) / sm, 100 * (ac - sc) / sc }'
# round k: the k-th alerts line and the k-th stats line of RAW
paste -d' ' <(grep '^alerts ' "$RAW") <(grep '^stats ' "$RAW") |
    awk '{ if ($6 == 0) $6 = 0.001; print 100 * ($2 - $6) / $6 }' | sort -n |
    awk '{ v[NR] = $1 } END { if (NR) printf "per-round overhead: median %+.1f%%, range %+.1f%% .. %+.1f%% (%d rounds)\n",
        (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR], NR }'
