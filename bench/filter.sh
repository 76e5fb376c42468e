#!/usr/bin/env bash
# Display-filter throughput (called by bench/run.sh): `pktwatch filter -Y EXPR
# -w /dev/null` over the big capture, next to `tshark -Y EXPR -w /dev/null`
# and, for expressions BPF can express, `tcpdump -r F -w /dev/null BPF`.
# Targets: at least 20x tshark, and no slower than tcpdump's BPF.
#
#   bench/filter.sh BUILD_DIR BIG_CAPTURE
#   BENCH_TSHARK=0 skips tshark (about a minute per expression on 2M packets)
set -u
B=${1:?usage: bench/filter.sh BUILD_DIR BIG_CAPTURE}
BIG=${2:?usage: bench/filter.sh BUILD_DIR BIG_CAPTURE}
cd "$(dirname "$0")/.."
mkdir -p build/bench
N=$(cat build/bench/big.n 2>/dev/null || echo "?")
cat "$BIG" > /dev/null # page cache

# best wall time of RUNS runs of a command, in seconds
best() {
    local runs=$1 b=""; shift
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e" -o build/bench/ftime.out "$@" > /dev/null 2> build/bench/ferr.out
        local t; t=$(tail -1 build/bench/ftime.out)
        if [ -z "$b" ] || awk -v a="$t" -v c="$b" 'BEGIN{exit !(a<c)}'; then b=$t; fi
    done
    echo "$b"
}

# name ~~ display filter ~~ BPF (empty: BPF cannot say it)
CASES=(
"port~~tcp.port == 111~~tcp port 111"
"cidr+flag~~ip.addr == 10.0.0.0/8 && tcp.flags.syn == 1~~net 10.0.0.0/8 and tcp[tcpflags] & tcp-syn != 0"
"sets~~tcp.port in {80, 443, 8000..8080} || udp.port == 53~~tcp port 80 or tcp port 443 or tcp portrange 8000-8080 or udp port 53"
"vlan+len~~vlan && frame.len > 1000~~vlan and greater 1001"
"contains~~frame contains \"GET\"~~"
"regex~~tcp.payload matches \"^(get|post) /[a-z]+\"~~"
"dns~~dns.qry.name contains \"example\"~~"
)

printf '%-10s %-55s %9s %9s %9s %9s %9s\n' case expression pktwatch tshark tcpdump 'x tshark' 'x tcpdump'
for c in "${CASES[@]}"; do
    name=${c%%~~*}; rest=${c#*~~}; expr=${rest%%~~*}; bpf=${rest#*~~}
    pw=$(best 3 "$B/pktwatch" filter -Y "$expr" -w /dev/null "$BIG")
    ts=-
    if [ "${BENCH_TSHARK:-1}" != 0 ] && command -v tshark > /dev/null; then
        ts=$(best 1 tshark -n -r "$BIG" -Y "$expr" -w /dev/null)
    fi
    td=-
    if [ -n "$bpf" ] && command -v tcpdump > /dev/null; then
        td=$(best 3 tcpdump -r "$BIG" -w /dev/null "$bpf")
    fi
    rt=$(awk -v a="$ts" -v b="$pw" 'BEGIN { if (a == "-" || b <= 0) print "-"; else printf "%.1f", a / b }')
    rd=$(awk -v a="$td" -v b="$pw" 'BEGIN { if (a == "-" || b <= 0) print "-"; else printf "%.2f", a / b }')
    printf '%-10s %-55s %8ss %8ss %8ss %9s %9s\n' "$name" "$expr" "$pw" "$ts" "$td" "$rt" "$rd"
done
echo "($N packets; times are the best of 3 runs, tshark 1 run; x = how many times faster pktwatch is)"
