#!/usr/bin/env bash
# Command-line behaviour of `pktwatch rtt`: help, exit codes, the exact CSV
# on a small capture (values from tshark: tcpdump's tcp-handshake-nano.pcap,
# handshake ack_rtt 0.127521774 and iRTT 0.127609669), standard input,
# JSON that parses and agrees with the CSV, and a damaged file (results and
# exit status 3).
set -u
SUITE=rtt-cli
. "$(dirname "$0")/lib.bash"

HDR='stream,client,client_port,server,server_port,syn_frame,synack_frame,syn_time,handshake_rtt,client_rtt,initial_rtt,syn_retransmits,synack_retransmits,outcome'
ROW='0,131.155.215.69,46656,137.116.81.94,80,1,2,1418145369.924505488,0.127521774,0.000087895,0.127609669,0,0,established'

t "--help exits 0 and names the columns" sh -c "'$P' rtt --help | grep -q 'initial_rtt'"
t "no file is a usage error" rc_is 2 "$P" rtt
t "two files are a usage error" rc_is 2 "$P" rtt "$C/dns.pcap" "$C/dns.pcap"
t "-Y keeps the matching connections" bash -c "'$P' rtt --csv -Y 'tcp.port == 80' $C/tcp-handshake-nano.pcap | grep -qx '$ROW'"
t "-Y drops the others" bash -c "[ \$('$P' rtt --csv -Y udp $C/tcp-handshake-nano.pcap | wc -l) = 1 ]"
t "-Y with an application field (app stage)" bash -c "'$P' rtt --csv -Y 'tcp.port == 80 && !http' $C/tcp-handshake-nano.pcap | grep -q '^0,'"
t "a bad -Y is a usage error" rc_is 2 "$P" rtt -Y 'tcp.port ==' "$C/dns.pcap"
t "--csv with --json is a usage error" rc_is 2 "$P" rtt --csv --json "$C/dns.pcap"
t "an unknown option is a usage error" rc_is 2 "$P" rtt --bogus "$C/dns.pcap"
t "a missing file exits 1" rc_is 1 "$P" rtt "$tmp/nope.pcap"
t "not a capture exits 1" sh -c "echo hello > '$tmp/x.txt'; '$P' rtt '$tmp/x.txt'; [ \$? = 1 ]"
t "CSV header and row, to the nanosecond" sh -c \
    "'$P' rtt --csv $C/tcp-handshake-nano.pcap > '$tmp/csv' && printf '%s\n%s\n' '$HDR' '$ROW' | diff - '$tmp/csv'"
t "standard input gives the same CSV" sh -c \
    "cat $C/tcp-handshake-nano.pcap | '$P' rtt --csv - | diff - '$tmp/csv'"
t "no TCP: header only" sh -c "'$P' rtt --csv $C/dns.pcap > '$tmp/dns.csv' && echo '$HDR' | diff - '$tmp/dns.csv'"
t "JSON parses and agrees with the CSV" sh -c \
    "'$P' rtt --json $C/tcp-handshake-nano.pcap | python3 -c '
import json, sys
d = json.load(sys.stdin)
c = d[\"connections\"][0]
assert c[\"handshake_rtt_ns\"] == 127521774, c
assert c[\"initial_rtt_ns\"] == 127609669, c
assert c[\"syn_time\"] == \"1418145369.924505488\", c
assert d[\"total\"][\"connections\"] == 1
assert d[\"total\"][\"handshake_rtt\"][\"median_ns\"] == 127521774
'"
t "text report names the file and the connection" sh -c \
    "'$P' rtt $C/tcp-handshake-nano.pcap | grep -q '137.116.81.94.*127.522.*established'"
# a capture cut in the middle of its last record: the results cover the
# complete records, exit status 3
head -c $(($(stat -c %s $C/tcp-handshake-nano.pcap) - 10)) $C/tcp-handshake-nano.pcap > "$tmp/cut.pcap"
t "a damaged file exits 3 with results" sh -c \
    "'$P' rtt --csv '$tmp/cut.pcap' > '$tmp/cut.csv'; [ \$? = 3 ] && grep -q '^0,131.155.215.69,46656' '$tmp/cut.csv'"
