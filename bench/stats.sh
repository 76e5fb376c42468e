#!/usr/bin/env bash
# make bench (called by bench/run.sh with BUILD_DIR and the big capture):
# `pktwatch stats` with the four reports of issue 3 side by side with the
# same tshark command on the same file: wall time (best of 3), peak RSS,
# and the speed ratio (target: pktwatch >= 20x faster than tshark).
#   bench/stats.sh BUILD_DIR CAPTURE
set -u
B=${1:?usage: bench/stats.sh BUILD_DIR CAPTURE}
BIG=${2:?usage: bench/stats.sh BUILD_DIR CAPTURE}
cd "$(dirname "$0")/.."
mkdir -p build/bench
export TZ=UTC LC_ALL=C
SPECS=(-z io,phs -z dests,tree -z conv,tcp -z endpoints,ip)
N=$(cat build/bench/big.n 2>/dev/null || echo "?")

best() { # RUNS NAME CMD...: prints "seconds peak_kb user_seconds" of the best of RUNS runs
    local runs=$1 name=$2; shift 2
    local t m u bt="" bm=0 bu="" i
    for ((i = 0; i < runs; i++)); do
        /usr/bin/time -f "%e %M %U" -o build/bench/stats.time "$@" > build/bench/stats.$name.out 2> /dev/null
        read -r t m u < <(grep -v '^Command' build/bench/stats.time)
        if [ -z "$bt" ] || awk -v a="$t" -v b="$bt" 'BEGIN{exit !(a<b)}'; then bt=$t; bu=$u; fi
        [ "$m" -gt "$bm" ] && bm=$m
    done
    echo "$bt $bm $bu"
}

read -r pt pm pu < <(best 3 pktwatch "$B/pktwatch" stats "${SPECS[@]}" "$BIG")
printf '%-44s %8.2f s (user %.2f s) %8.1f MB peak RSS\n' "pktwatch stats (4 reports)" "$pt" "$pu" "$(awk -v m="$pm" 'BEGIN{print m/1024}')"
if command -v tshark > /dev/null; then
    # tshark takes minutes on the big capture: one run unless TSHARK_RUNS says
    read -r tt tm tu < <(best "${TSHARK_RUNS:-1}" tshark tshark -n -r "$BIG" -q "${SPECS[@]}")
    printf '%-44s %8.2f s (user %.2f s) %8.1f MB peak RSS\n' "tshark -q (same 4 reports)" "$tt" "$tu" "$(awk -v m="$tm" 'BEGIN{print m/1024}')"
    awk -v p="$pt" -v t="$tt" -v pu="$pu" -v tu="$tu" 'BEGIN { if (p == 0) p = 0.01; if (pu == 0) pu = 0.01;
        printf "stats speed-up over tshark = %.1fx wall, %.1fx user CPU (target >= 20x)\n", t / p, tu / pu }'
    if cmp -s build/bench/stats.pktwatch.out build/bench/stats.tshark.out; then
        echo "stats output identical to tshark's"
    else
        echo "stats output differs from tshark's (see build/bench/stats.*.out)"
    fi
else
    echo "tshark not installed: no reference run"
fi
read -r st sm su < <(best 1 pktwatch-stdin sh -c "cat '$BIG' | '$B/pktwatch' stats ${SPECS[*]} -")
printf '%-44s %8.2f s %8.1f MB peak RSS\n' "pktwatch stats, capture on a pipe" "$st" "$(awk -v m="$sm" 'BEGIN{print m/1024}')"
echo "capture: $BIG ($N packets)"

# Memory follows flows, not packets: two captures with the same 2,000
# persistent connections (gen -p), one ten times longer than the other.
for n in 200000 2000000; do
    f=build/bench/persist-$n.pcap
    [ -f "$f" ] || "$B/tools/gen" -p -n "$n" "$f" 2> /dev/null || exit 1
    read -r t m u < <(best 1 "persist-$n" "$B/pktwatch" stats "${SPECS[@]}" "$f")
    printf '%-44s %8.2f s %8.1f MB peak RSS\n' "pktwatch stats, 2,000 flows, $n packets" "$t" "$(awk -v m="$m" 'BEGIN{print m/1024}')"
    eval "rss_$n=$m"
done
awk -v a="$rss_200000" -v b="$rss_2000000" 'BEGIN { printf "peak RSS with 10x the packets, same flows: %.2fx (target: ~1x)\n", b / a }'
