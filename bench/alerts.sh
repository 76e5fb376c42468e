#!/usr/bin/env bash
# make bench (called by bench/run.sh with BUILD_DIR and the big capture):
# what classification costs. `pktwatch alerts` (dissection, flow stage,
# application stage, nDPI on the first packets of every flow, the alert tap)
# against `pktwatch stats -z io,phs` (the same pass with the protocol
# hierarchy tap) on the same file: best wall time of 3 runs, peak RSS, and
# the overhead of alerts over stats (target: at most 20%, issue 6).
#   bench/alerts.sh BUILD_DIR CAPTURE
set -u
B=${1:?usage: bench/alerts.sh BUILD_DIR CAPTURE}
CAP=${2:?usage: bench/alerts.sh BUILD_DIR CAPTURE}
cd "$(dirname "$0")/.."
mkdir -p build/bench
N=$(cat build/bench/big.n 2>/dev/null || echo 0)
[ "$N" -gt 0 ] || N=1

best_of_3() { # prints "seconds peak_kb" of the best of 3 runs
    local best="" rss=0 t m
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %M" -o build/bench/alerts.time "$@" > /dev/null 2> build/bench/alerts.err
        read -r t m < build/bench/alerts.time
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$t; fi
        [ "$m" -gt "$rss" ] && rss=$m
    done
    echo "$best $rss"
}

line() { # NAME SECONDS KB
    awk -v n="$1" -v t="$2" -v p="$N" -v m="$3" 'BEGIN { if (t == 0) t = 0.001;
        printf "%-44s %8.2f s %12.0f pkt/s %8.1f MB peak RSS\n", n, t, p / t, m / 1024 }'
}

read -r ta ma < <(best_of_3 "$B/pktwatch" alerts "$CAP")
line "pktwatch alerts" "$ta" "$ma"
if "$B/pktwatch" stats --help > /dev/null 2>&1; then
    read -r ts ms < <(best_of_3 "$B/pktwatch" stats -z io,phs "$CAP")
    line "pktwatch stats -z io,phs" "$ts" "$ms"
    awk -v a="$ta" -v s="$ts" 'BEGIN { if (s == 0) s = 0.001;
        printf "alerts overhead over stats -z io,phs = %+.1f%% (target <= 20%%)\n", 100 * (a - s) / s }'
else
    echo "pktwatch stats not built: no comparison"
fi
