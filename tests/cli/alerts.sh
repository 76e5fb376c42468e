#!/usr/bin/env bash
# Command-line behaviour of `pktwatch alerts`: help, exit codes (--fail-on,
# damaged input, bad policy, bad filter), JSON that parses, -Y restricting
# what the alert tap sees, policy printing and checking.
set -u
SUITE=alerts-cli
. "$(dirname "$0")/lib.bash"

t "help exits 0" rc_is 0 "$P" alerts --help
t "no file is a usage error (2)" rc_is 2 "$P" alerts
t "unknown option is a usage error (2)" rc_is 2 "$P" alerts --bogus $C/rdp.pcap
t "missing file fails (1)" rc_is 1 "$P" alerts "$tmp/does-not-exist.pcap"
t "a text file is not a capture (1)" rc_is 1 "$P" alerts README.md
t "alerts without --fail-on exit 0" rc_is 0 "$P" alerts $C/bittorrent_utp.pcap
t "--fail-on high with a high alert exits 4" rc_is 4 "$P" alerts --fail-on high $C/bittorrent_utp.pcap
t "--fail-on critical without one exits 0" rc_is 0 "$P" alerts --fail-on critical $C/bittorrent_utp.pcap
t "--fail-on medium counts higher severities" rc_is 4 "$P" alerts --fail-on medium $C/bittorrent_utp.pcap
t "--fail-on with a bad level is a usage error (2)" rc_is 2 "$P" alerts --fail-on loud $C/rdp.pcap
t "cut-short file exits 3" rc_is 3 "$P" alerts $C/fuzz-2021-10-13.pcap
head -c 40000 $C/bittorrent_utp.pcap > "$tmp/cut.pcap"
t "cut-short file with alerts exits 3" rc_is 3 "$P" alerts "$tmp/cut.pcap"
t "a triggered --fail-on outranks damage (4)" rc_is 4 "$P" alerts --fail-on high "$tmp/cut.pcap"
t "bad filter is a usage error (2)" rc_is 2 "$P" alerts -Y "tcp.port ==" $C/rdp.pcap
t "filter error names the problem" bash -c "'$P' alerts -Y 'nosuchfield == 1' $C/rdp.pcap 2>&1 | grep -qi 'nosuchfield'"
t "zero-byte file is an empty capture" bash -c "touch '$tmp/empty.pcap' && '$P' alerts '$tmp/empty.pcap' | grep -q 'Alerts:     0'"
t "standard input" bash -c "'$P' alerts - < $C/bt_search.pcap | grep -q BitTorrent"

# JSON
t "JSON parses and has the keys" bash -c "'$P' alerts --json $C/bittorrent_utp.pcap | jq -e '.alerts[0] | .severity and .kind and .client.address and .server.address and .first_frame and .evidence' >/dev/null"
t "JSON: BitTorrent over uTP between the right peers" bash -c "'$P' alerts --json $C/bittorrent_utp.pcap | jq -e '[.alerts[] | select(.application == \"BitTorrent\" and .protocol == \"udp\" and .client.address == \"82.243.113.43\" and .server.address == \"192.168.1.5\")] | length == 1' >/dev/null"
t "JSON: summary counts the alerts" bash -c "'$P' alerts --json $C/bittorrent_utp.pcap | jq -e '.summary.high == ([.alerts[] | select(.severity == \"high\")] | length)' >/dev/null"
t "JSON --fail-on reports failed" bash -c "'$P' alerts --json --fail-on high $C/bittorrent_utp.pcap | jq -e '.failed == true' >/dev/null; true"
t "--flows lists every flow with its classification" bash -c "'$P' alerts --json --flows $C/bittorrent_utp.pcap | jq -e '.flow_list | length == 2 and (.[0].application == \"BitTorrent\")' >/dev/null"

# -Y restricts what the alert tap sees
t "-Y that excludes the BitTorrent flow drops its alert" bash -c "'$P' alerts --json -Y 'udp.port == 33333' $C/bittorrent_utp.pcap | jq -e '[.alerts[] | select(.client.address == \"82.243.113.43\")] | length == 0' >/dev/null"
t "-Y that keeps it keeps the alert" bash -c "'$P' alerts --json -Y 'ip.addr == 82.243.113.43' $C/bittorrent_utp.pcap | jq -e '[.alerts[] | select(.application == \"BitTorrent\")] | length == 1' >/dev/null"

# policies
printf '[policy]\nbase = none\n[applications]\nRDP = critical\n' > "$tmp/p1.ini"
t "a policy file changes the severity" bash -c "'$P' alerts --json --policy '$tmp/p1.ini' $C/rdp.pcap | jq -e '.alerts[0].severity == \"critical\"' >/dev/null"
printf '[applications]\nRDP = allow\n' > "$tmp/p2.ini"
t "allow silences an application" bash -c "'$P' alerts --json --policy '$tmp/p2.ini' $C/rdp.pcap | jq -e '[.alerts[] | select(.application == \"RDP\")] | length == 0' >/dev/null"
printf '[applications]\nRDP = loud\n' > "$tmp/bad.ini"
t "bad policy value is a usage error (2)" rc_is 2 "$P" alerts --policy "$tmp/bad.ini" $C/rdp.pcap
t "bad policy message names file and line" bash -c "'$P' alerts --policy '$tmp/bad.ini' $C/rdp.pcap 2>&1 | grep -q 'bad.ini:2: bad value'"
printf '[applications]\nNoSuchApp = high\n' > "$tmp/bad2.ini"
t "unknown application is a usage error (2)" rc_is 2 "$P" alerts --policy "$tmp/bad2.ini" $C/rdp.pcap
t "missing policy file is a usage error (2)" rc_is 2 "$P" alerts --policy "$tmp/nope.ini" $C/rdp.pcap
t "--check-policy accepts a good file" rc_is 0 "$P" alerts --check-policy --policy "$tmp/p1.ini"
t "--check-policy rejects a bad one" rc_is 2 "$P" alerts --check-policy --policy "$tmp/bad2.ini"
t "--print-policy prints the built-in policy" bash -c "'$P' alerts --print-policy | grep -q '^BitTorrent *= high'"
t "the printed built-in policy checks" bash -c "'$P' alerts --print-policy > '$tmp/def.ini' && '$P' alerts --no-default-policy --check-policy --policy '$tmp/def.ini'"
t "--dump-policy round-trips" bash -c "'$P' alerts --policy '$tmp/p2.ini' --dump-policy > '$tmp/d1.ini' && '$P' alerts --no-default-policy --policy '$tmp/d1.ini' --dump-policy | cmp -s - '$tmp/d1.ini'"
t "--list-apps names BitTorrent's category" bash -c "'$P' alerts --list-apps | grep -q '^BitTorrent	Download$'"
t "--list-categories includes Mining" bash -c "'$P' alerts --list-categories | grep -qx Mining"
printf '[services]\n192.168.0.1 = tcp/22\n' > "$tmp/svc.ini"
t "[services]: telnet to a host expecting only ssh is unexpected-service" bash -c "'$P' alerts --json --policy '$tmp/svc.ini' $C/telnet.pcap | jq -e '[.alerts[] | select(.kind == \"unexpected-service\" and .server.port == 23)] | length == 1' >/dev/null"

# What the shipped captures hold, read with tshark 4.0.17 (not from our own
# output), and the alerts that must follow from it:
#   telnet.pcap: "Password:" from 192.168.0.1:23 in frame 36, answered by
#     192.168.0.2:1550 in frame 38 (telnet.data);
#   bittorrent_utp.pcap: frame 5 (UDP 82.243.113.43:64969 <-> 192.168.1.5:40959)
#     carries "\x13BitTorrent protocol" with info-hash 0ca4c8e7...c66811;
#   bt_search.pcap: BitTorrent Local Service Discovery from 192.168.0.102
#     to 239.192.152.143:6771 in frames 1-2, lsd.infohash ED4F1085...8FD9115;
#   tracker.pcap: 10.0.0.201:49842 -> 91.189.95.21:6969, HTTP GET
#     /announce?info_hash=... in frame 4 (a BitTorrent tracker announce);
#   rdp.pcap: TCP 172.16.2.185:52494 -> 192.168.2.142:3389 (RDP).
aj() { "$P" alerts --json "$@" 2> /dev/null; }
has() { # capture, jq condition on one alert
    aj "$1" | jq -e "[.alerts[] | select($2)] | length >= 1" > /dev/null
}
t "telnet: cleartext-credentials, client 192.168.0.2:1550, prompt in frame 36, answer in 38" \
    has $C/telnet.pcap '.kind == "cleartext-credentials" and .severity == "high" and .client.address == "192.168.0.2" and .client.port == 1550 and .server.address == "192.168.0.1" and .server.port == 23 and (.evidence | test("frame 36.*frame 38"))'
t "uTP: BitTorrent between 82.243.113.43:64969 and 192.168.1.5:40959, handshake in frame 5 with its info-hash" \
    has $C/bittorrent_utp.pcap '.kind == "unwanted-application" and .application == "BitTorrent" and .protocol == "udp" and .client.address == "82.243.113.43" and .client.port == 64969 and .server.address == "192.168.1.5" and .server.port == 40959 and (.evidence | test("frame 5 .*0ca4c8e7fb26a354b1a7aa15baeaf26067c66811"))'
t "LSD: BitTorrent from 192.168.0.102 to 239.192.152.143:6771, frames 1-2, with the info-hash" \
    has $C/bt_search.pcap '.application == "BitTorrent" and .client.address == "192.168.0.102" and .server.address == "239.192.152.143" and .server.port == 6771 and .first_frame == 1 and .last_frame == 2 and (.evidence | ascii_downcase | test("ed4f1085e885f98f9a69b70ee89eb988b8fd9115"))'
t "tracker announce: BitTorrent alert for 10.0.0.201 -> 91.189.95.21:6969" \
    has $C/tracker.pcap '.application == "BitTorrent" and .client.address == "10.0.0.201" and .server.address == "91.189.95.21" and .server.port == 6969'
t "tracker announce: --flows lists the flow as BitTorrent, frames 1-10" \
    bash -c "'$P' alerts --json --flows $C/tracker.pcap | jq -e '[.flow_list[] | select(.client == \"10.0.0.201:49842\" and .server == \"91.189.95.21:6969\" and .application == \"BitTorrent\" and .first_frame == 1)] | length == 1' > /dev/null"
t "rdp: --fail-on medium exits 4 on the RDP remote-access alert" rc_is 4 "$P" alerts --fail-on medium $C/rdp.pcap
t "rdp: the alert names 172.16.2.185 -> 192.168.2.142:3389 as RDP" \
    has $C/rdp.pcap '.application == "RDP" and .client.address == "172.16.2.185" and .server.address == "192.168.2.142" and .server.port == 3389'
# the text view shows what the JSON says: every alert's kind and evidence
for f in telnet.pcap bittorrent_utp.pcap bt_search.pcap tracker.pcap rdp.pcap; do
    t "text and JSON name the same alerts ($f)" bash -c "
        '$P' alerts $C/$f > '$tmp/$f.txt' 2> /dev/null
        n=\$('$P' alerts --json $C/$f 2> /dev/null | jq '.alerts | length')
        [ \"\$n\" -ge 1 ] || exit 1
        '$P' alerts --json $C/$f 2> /dev/null | jq -r '.alerts[] | .kind, .evidence' |
            while IFS= read -r line; do grep -qF -- \"\$line\" '$tmp/$f.txt' || { echo \"missing: \$line\"; exit 1; }; done"
done
