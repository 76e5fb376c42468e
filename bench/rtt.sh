#!/usr/bin/env bash
# make bench (called by bench/run.sh with BUILD_DIR and the big capture):
# `pktwatch rtt` side by side with the tshark command that gives the same
# numbers (every SYN/ACK's tcp.stream and tcp.analysis.ack_rtt) on the same
# file: wall time (best of 3 for pktwatch), peak RSS, the speed ratio
# (target: pktwatch >= 20x faster), and a check that the handshake RTT of
# every stream's first SYN/ACK is the same in both outputs.
#   bench/rtt.sh BUILD_DIR CAPTURE
set -u
B=${1:?usage: bench/rtt.sh BUILD_DIR CAPTURE}
BIG=${2:?usage: bench/rtt.sh BUILD_DIR CAPTURE}
cd "$(dirname "$0")/.."
mkdir -p build/bench
export TZ=UTC LC_ALL=C
N=$(cat build/bench/big.n 2>/dev/null || echo "?")

best() { # RUNS NAME CMD...: prints "seconds peak_kb" of the best of RUNS runs
    local runs=$1 name=$2; shift 2
    local t m bt="" bm=0 i
    for ((i = 0; i < runs; i++)); do
        /usr/bin/time -f "%e %M" -o build/bench/rtt.time "$@" > build/bench/rtt.$name.out 2> /dev/null
        read -r t m < build/bench/rtt.time
        if [ -z "$bt" ] || awk -v a="$t" -v b="$bt" 'BEGIN{exit !(a<b)}'; then bt=$t; fi
        [ "$m" -gt "$bm" ] && bm=$m
    done
    echo "$bt $bm"
}
mb() { awk -v m="$1" 'BEGIN{printf "%.1f", m/1024}'; }

read -r pt pm < <(best 3 pktwatch "$B/pktwatch" rtt --csv "$BIG")
printf '%-44s %8.2f s %8.1f MB peak RSS\n' "pktwatch rtt --csv" "$pt" "$(mb "$pm")"
# the capture is memory-mapped, so RSS above includes file pages; from a pipe
# it shows what the analysis holds (flow tables, one record per connection)
read -r st sm < <(best 1 pktwatch-stdin sh -c "cat '$BIG' | '$B/pktwatch' rtt --csv -")
printf '%-44s %8.2f s %8.1f MB peak RSS\n' "pktwatch rtt --csv, capture on a pipe" "$st" "$(mb "$sm")"
conns=$(($(wc -l < build/bench/rtt.pktwatch.out) - 1))
if command -v tshark > /dev/null; then
    # minutes on the big capture: one run unless TSHARK_RUNS says otherwise
    read -r tt tm < <(best "${TSHARK_RUNS:-1}" tshark tshark -n -r "$BIG" \
        -Y 'tcp.flags.syn==1 && tcp.flags.ack==1' -T fields -e tcp.stream -e tcp.analysis.ack_rtt)
    printf '%-44s %8.2f s %8.1f MB peak RSS\n' "tshark -Y SYN/ACK -T fields stream,ack_rtt" "$tt" "$(mb "$tm")"
    awk -v p="$pt" -v t="$tt" 'BEGIN { if (p == 0) p = 0.01; printf "rtt speed-up over tshark = %.1fx (target >= 20x)\n", t / p }'
    # every stream's first SYN/ACK in tshark's output against our handshake_rtt
    awk -F'\t' 'FNR == NR { split($0, c, ","); if (c[1] != "stream" && c[7] != "") h[c[1]] = (c[9] == "0.000000000" ? "" : c[9]); next }
        !($1 in seen) { seen[$1] = 1; n++; if (($1 in h) && h[$1] == $2) ok++ }
        END { printf "first SYN/ACK per stream: %d of %d handshake RTTs identical to tshark\n", ok, n }' \
        build/bench/rtt.pktwatch.out build/bench/rtt.tshark.out
else
    echo "tshark not installed: no reference run"
fi
echo "capture: $BIG ($N packets, $conns connections)"
