#!/usr/bin/env bash
# TCP stream numbers and handshake RTTs against tshark 4.0.17 (issue 4).
#
#   tests/conformance/rtt.sh DIR [BUILD_DIR]            the oracle files
#   tests/conformance/rtt.sh --tshark DIR [BUILD_DIR]   + every frame, live tshark
#   tests/conformance/rtt.sh --random N [BUILD_DIR]     N random captures vs tshark
#
# Default mode, for every capture under DIR that has
# DIR/expected/<path>/handshake_rtt.tsv (one row per SYN/ACK frame, tshark's
# tcp.stream and tcp.analysis.ack_rtt) and initial_rtt.tsv (the first frame
# showing tcp.analysis.initial_rtt, per stream):
#   - for every SYN/ACK frame: our tcp.stream and tcp.analysis.ack_rtt on that
#     frame (build/tools/tcpfields, which reads the published fields) equal
#     tshark's, to the nanosecond;
#   - for the first SYN/ACK of each stream: `pktwatch rtt --csv` has the
#     stream with that synack_frame and handshake_rtt = that ack_rtt (tshark
#     does not print a zero RTT, so 0.000000000 matches an empty cell);
#   - for every stream in initial_rtt.tsv: the CSV's initial_rtt and the
#     frame's tcp.analysis.initial_rtt equal tshark's.
# Prints each file with a mismatch, then a summary line; exit 1 on any
# mismatch, 2 on a usage error.
#
# --tshark runs tshark on each capture and compares every frame's
# tcp.stream, udp.stream, tcp.analysis.acks_frame, ack_rtt and initial_rtt
# (informational: frames whose layers pktwatch does not dissect yet show
# up here; exit status 0).
#
# --random N writes N captures of random TCP segments with build/tools/mkcap
# (retransmissions, gaps, zero windows, keep-alives, port reuse, RSTs,
# backward timestamps...) and requires every frame's stream, acks_frame,
# ack_rtt, initial_rtt, bytes in flight and tcp.analysis flags to equal
# tshark's; exit 1 on any difference.
set -u
mode=oracle
case "${1:-}" in
--tshark) mode=tshark; shift ;;
--random) mode=random; shift ;;
esac
ARG=${1:?usage: rtt.sh [--tshark] DIR [BUILD_DIR] | rtt.sh --random N [BUILD_DIR]}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${2:-$ROOT/build}
P="$B/pktwatch"
TF="$B/tools/tcpfields"
MK="$B/tools/mkcap"
export TZ=UTC LC_ALL=C
for x in "$P" "$TF"; do
    [ -x "$x" ] || { echo "rtt.sh: $x not built (make)" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Fields tshark is asked for in the --tshark and --random modes, in the order
# tcpfields prints them (then tshark's expert messages, mapped to flag names).
TSF=(-e frame.number -e tcp.stream -e udp.stream -e tcp.analysis.ack_rtt
    -e tcp.analysis.acks_frame -e tcp.analysis.initial_rtt -e tcp.analysis.bytes_in_flight
    -e tcp.analysis.push_bytes_sent -e tcp.analysis.duplicate_ack_num -e _ws.expert.message)
run_tshark() { # FILE OUT
    WIRESHARK_CONFIG_DIR=$tmp/wscfg tshark -n -o tcp.relative_sequence_numbers:TRUE -r "$1" \
        -T fields -E occurrence=a "${TSF[@]}" > "$2" 2> /dev/null
}

# compare_frames OURS THEIRS COLUMNS: prints "<mismatches> <frames>" and the
# first differences on stderr. COLUMNS: which columns count (2..9, 10=flags).
compare_frames() {
    awk -F'\t' -v cols="$3" -v tag="$4" '
    BEGIN {
        n = split(cols, c, ","); for (i = 1; i <= n; i++) want[c[i]] = 1
        m["This frame is a (suspected) retransmission"] = "retransmission"
        m["This frame is a (suspected) fast retransmission"] = "fast_retransmission"
        m["This frame is a (suspected) spurious retransmission"] = "spurious_retransmission"
        m["This frame is a (suspected) out-of-order segment"] = "out_of_order"
        m["A new tcp session is started with the same ports as an earlier session in this trace"] = "reused_ports"
        m["Previous segment(s) not captured (common at capture start)"] = "lost_segment"
        m["ACKed segment that wasn'"'"'t captured (common at capture start)"] = "ack_lost_segment"
        m["TCP window update"] = "window_update"
        m["TCP window specified by the receiver is now completely full"] = "window_full"
        m["TCP keep-alive segment"] = "keep_alive"
        m["ACK to a TCP keep-alive segment"] = "keep_alive_ack"
        m["TCP Zero Window Probe"] = "zero_window_probe"
        m["TCP Zero Window segment"] = "zero_window"
        m["ACK to a TCP Zero Window Probe"] = "zero_window_probe_ack"
        order = "retransmission fast_retransmission spurious_retransmission out_of_order reused_ports lost_segment ack_lost_segment window_update window_full keep_alive keep_alive_ack duplicate_ack zero_window zero_window_probe zero_window_probe_ack"
        no = split(order, ord, " ")
    }
    function tflags(msg,   k, parts, i, s, seen, out) {
        k = split(msg, parts, ",")
        for (i = 1; i <= k; i++) {
            s = parts[i]
            if (s in m) seen[m[s]] = 1
            else if (s ~ /^Duplicate ACK \(#/) seen["duplicate_ack"] = 1
        }
        if (("fast_retransmission" in seen) || ("spurious_retransmission" in seen)) seen["retransmission"] = 1
        out = ""
        for (i = 1; i <= no; i++) if (ord[i] in seen) out = out (out == "" ? "" : ",") ord[i]
        return out
    }
    FNR == NR { for (i = 1; i <= 10; i++) ours[$1, i] = $i; next }
    {
        frames++
        bad = 0
        for (i = 2; i <= 10; i++) {
            if (!(i in want)) continue
            t = (i == 10) ? tflags($10) : $i
            o = ours[$1, i]
            if (o != t) {
                bad = 1
                if (shown++ < 5) printf "    %s frame %s column %d: pktwatch \"%s\", tshark \"%s\"\n", tag, $1, i, o, t > "/dev/stderr"
            }
        }
        mism += bad
    }
    END { printf "%d %d\n", mism, frames }' "$1" "$2"
}

if [ "$mode" = random ]; then
    command -v tshark > /dev/null || { echo "SKIP rtt --random: tshark not installed"; exit 0; }
    [ -x "$MK" ] || { echo "rtt.sh: $MK not built" >&2; exit 2; }
    N=$ARG bad=0 frames=0 mism=0
    for i in $(seq 1 "$N"); do
        f=$tmp/r$i.pcap
        "$MK" random "$i" 400 "$f" || exit 2
        "$TF" "$f" > "$tmp/ours" 2> /dev/null
        run_tshark "$f" "$tmp/theirs"
        read -r m n < <(compare_frames "$tmp/ours" "$tmp/theirs" 2,4,5,6,7,8,9,10 "random seed $i")
        frames=$((frames + n)); mism=$((mism + m))
        [ "$m" -gt 0 ] && { echo "MISMATCH random seed $i: $m of $n frames"; bad=$((bad + 1)); }
    done
    echo "rtt random: $N captures, $frames frames, $((frames - mism)) identical to tshark, $bad captures with differences"
    [ "$bad" -eq 0 ]
    exit
fi

DIR=$ARG
[ -d "$DIR" ] || { echo "rtt.sh: $DIR is not a directory" >&2; exit 2; }
files=()
while IFS= read -r -d '' f; do
    rel=${f#"$DIR"/}
    case "$rel" in expected/*|*.md|*.tsv|*.txt) continue ;; esac
    [ -f "$DIR/expected/$rel/handshake_rtt.tsv" ] || continue
    files+=("$rel")
done < <(find "$DIR" -type f -print0 | sort -z)

if [ "$mode" = tshark ]; then
    command -v tshark > /dev/null || { echo "SKIP rtt --tshark: tshark not installed"; exit 0; }
    frames=0 mism=0 badf=0
    for rel in "${files[@]}"; do
        "$TF" "$DIR/$rel" > "$tmp/ours" 2> /dev/null
        run_tshark "$DIR/$rel" "$tmp/theirs"
        read -r m n < <(compare_frames "$tmp/ours" "$tmp/theirs" 2,3,4,5,6 "$rel" 2> "$tmp/why")
        frames=$((frames + n)); mism=$((mism + m))
        if [ "$m" -gt 0 ]; then
            badf=$((badf + 1)); echo "DIFF $rel: $m of $n frames"; cat "$tmp/why"
        fi
    done
    echo "rtt frames: ${#files[@]} files, $frames frames, $((frames - mism)) identical to tshark" \
        "(tcp.stream, udp.stream, acks_frame, ack_rtt, initial_rtt), $badf files with differences"
    exit 0
fi

total_files=${#files[@]} ok_files=0 synacks=0 synacks_ok=0 firsts=0 firsts_ok=0 irtts=0 irtts_ok=0
for rel in "${files[@]}"; do
    exp="$DIR/expected/$rel"
    "$TF" "$DIR/$rel" > "$tmp/frames" 2> /dev/null
    "$P" rtt --csv "$DIR/$rel" > "$tmp/csv" 2> /dev/null
    touch "$exp/initial_rtt.tsv"
    # awk prints: counters on the last line, mismatch descriptions before it
    awk -F'\t' -v csvf="$tmp/csv" -v irttf="$exp/initial_rtt.tsv" '
    BEGIN {
        while ((getline line < csvf) > 0) {
            split(line, c, ",")
            if (c[1] == "stream") continue
            synack[c[1]] = c[7]; hrtt[c[1]] = c[9]; irtt[c[1]] = c[11]; outcome[c[1]] = c[14]
        }
        while ((getline line < irttf) > 0) {
            split(line, r, "\t")
            if (r[1] == "frame.number" || r[1] == "") continue
            ni++; iframe[ni] = r[1]; istream[ni] = r[2]; ival[ni] = r[3]
        }
    }
    FNR == NR { st[$1] = $2; rtt[$1] = $4; fi[$1] = $6; next }
    FNR == 1 { next }  # header
    {
        n++
        f = $1; s = $2; a = $9
        if (st[f] == s && rtt[f] == a) ok++
        else printf "    SYN/ACK frame %s: pktwatch stream %s ack_rtt \"%s\", tshark stream %s ack_rtt \"%s\"\n", f, st[f], rtt[f], s, a
        if (!(s in first)) { first[s] = f; firstrtt[s] = a; nf++ }
    }
    END {
        for (s in first) {
            h = hrtt[s]; if (h == "0.000000000") h = ""
            if ((s in synack) && (synack[s] == first[s] || outcome[s] == "simultaneous_open") && (h == firstrtt[s] || outcome[s] == "simultaneous_open")) fok++
            else printf "    stream %s: pktwatch rtt synack_frame \"%s\" handshake_rtt \"%s\", tshark first SYN/ACK %s ack_rtt \"%s\"\n", s, synack[s], hrtt[s], first[s], firstrtt[s]
        }
        for (i = 1; i <= ni; i++) {
            s = istream[i]
            if (irtt[s] == ival[i] && fi[iframe[i]] == ival[i]) iok++
            else printf "    stream %s: pktwatch initial_rtt \"%s\" (frame %s: \"%s\"), tshark \"%s\"\n", s, irtt[s], iframe[i], fi[iframe[i]], ival[i]
        }
        printf "COUNTS %d %d %d %d %d %d\n", n, ok, nf, fok, ni, iok
    }' "$tmp/frames" "$exp/handshake_rtt.tsv" > "$tmp/out"
    read -r _ n ok nf fok ni iok < <(tail -1 "$tmp/out")
    synacks=$((synacks + n)); synacks_ok=$((synacks_ok + ok))
    firsts=$((firsts + nf)); firsts_ok=$((firsts_ok + fok))
    irtts=$((irtts + ni)); irtts_ok=$((irtts_ok + iok))
    if [ "$n" = "$ok" ] && [ "$nf" = "$fok" ] && [ "$ni" = "$iok" ]; then
        ok_files=$((ok_files + 1))
    else
        echo "MISMATCH $rel"
        sed '$d' "$tmp/out"
    fi
done
echo "rtt: $ok_files/$total_files files match; SYN/ACK frames $synacks_ok/$synacks" \
    "(tcp.stream + ack_rtt); first SYN/ACK per stream $firsts_ok/$firsts (pktwatch rtt" \
    "handshake_rtt); iRTT streams $irtts_ok/$irtts"
[ "$ok_files" = "$total_files" ]
