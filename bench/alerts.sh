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

best_of_3() { # prints "seconds peak_kb cpu_seconds" of the best of 3 runs
    local best="" rss=0 cpu="" t m u y
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %M %U %S" -o build/bench/alerts.time "$@" > /dev/null 2> build/bench/alerts.err
        read -r t m u y < build/bench/alerts.time
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then
            best=$t
            cpu=$(awk -v u="$u" -v y="$y" 'BEGIN{printf "%.2f", u + y}')
        fi
        [ "$m" -gt "$rss" ] && rss=$m
    done
    echo "$best $rss $cpu"
}

line() { # NAME SECONDS KB CPU_SECONDS
    awk -v n="$1" -v t="$2" -v p="$N" -v m="$3" -v c="$4" 'BEGIN { if (t == 0) t = 0.001;
        printf "%-44s %8.2f s %12.0f pkt/s %8.1f MB peak RSS %7.2f s CPU\n", n, t, p / t, m / 1024, c }'
}

read -r ta ma ca < <(best_of_3 "$B/pktwatch" alerts "$CAP")
line "pktwatch alerts" "$ta" "$ma" "$ca"
if "$B/pktwatch" stats --help > /dev/null 2>&1; then
    read -r ts ms cs < <(best_of_3 "$B/pktwatch" stats -z io,phs "$CAP")
    line "pktwatch stats -z io,phs" "$ts" "$ms" "$cs"
    awk -v a="$ta" -v s="$ts" -v ca="$ca" -v cs="$cs" 'BEGIN { if (s == 0) s = 0.001; if (cs == 0) cs = 0.001;
        printf "alerts overhead over stats -z io,phs = %+.1f%% wall (target <= 20%%), %+.1f%% CPU (user + system)\n",
            100 * (a - s) / s, 100 * (ca - cs) / cs }'
else
    echo "pktwatch stats not built: no comparison"
fi
