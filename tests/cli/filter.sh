#!/usr/bin/env bash
# Command-line behaviour of `pktwatch filter`: exit codes, tshark-style error
# display, the one-line and -T fields outputs, -c, --explain, and -w: the
# written file must hold exactly the selected records, byte for byte (read
# back by pktwatch itself; by tshark too when it is installed).
set -u
SUITE=filter-cli
. "$(dirname "$0")/lib.bash"

out_is() { # expected-text, command...
    local want=$1; shift
    local got; got=$("$@" 2>&1)
    [ "$got" = "$want" ] || { printf 'got:\n%s\nwant:\n%s\n' "$got" "$want"; return 1; }
}

t "help exits 0" rc_is 0 "$P" filter --help
t "no file is a usage error (2)" rc_is 2 "$P" filter -Y tcp
t "bad expression is a usage error (2)" rc_is 2 "$P" filter -Y 'tcp.port == 70000' $C/vxlan.pcap
t "missing file fails (1)" rc_is 1 "$P" filter -Y tcp "$tmp/nope.pcap"
t "-T fields without -e is a usage error" rc_is 2 "$P" filter -T fields $C/vxlan.pcap
t "unknown -e field is a usage error" rc_is 2 "$P" filter -T fields -e foo.bar $C/vxlan.pcap
t "cut-short file exits 3" rc_is 3 "$P" filter -Y ip $C/fuzz-2021-10-13.pcap
t "error shows the expression and a caret under the token" out_is \
'pktwatch: "70000" too big for this field, maximum 65535.
    tcp.port == 70000
                ^~~~~' "$P" filter -Y 'tcp.port == 70000' $C/vxlan.pcap
t "unexpected end has no caret" out_is 'pktwatch: Unexpected end of filter expression.' \
    "$P" filter -Y 'tcp and' $C/vxlan.pcap
t "one line per matching frame" out_is \
'    3   0.000655 10.0.0.1 → 10.0.0.2 ICMP 148
    4   0.000993 10.0.0.2 → 10.0.0.1 ICMP 148' "$P" filter -Y 'icmp' -c 2 $C/vxlan.pcap
t "-T fields with header, separator and quotes" out_is \
'frame.number,ip.src,udp.port
"1","192.168.56.11","39924,4789"' \
    "$P" filter -Y 'frame.number == 1' -T fields -E header=y -E separator=, -E quote=d \
    -e frame.number -e ip.src -e udp.port $C/vxlan.pcap
t "-E occurrence=l and aggregator" out_is '4789 192.168.56.12' \
    "$P" filter -r $C/vxlan.pcap -c 1 -T fields -E occurrence=l -E separator=/s -e udp.port \
    -e ip.dst
t "--explain prints the program" bash -c "'$P' filter --explain 'tcp.port in {80, 443}' | grep -q 'load    r0 = tcp.port'"
t "-c stops after N matches" out_is '3' bash -c "'$P' filter -c 3 $C/vxlan.pcap | wc -l"

# -w: what was written is what was selected, byte for byte
records() { # file [expr]: time and lengths of each record, and its link layer
    "$P" filter -r "$1" ${2:+-Y "$2"} -T fields -e frame.time_epoch -e frame.len -e frame.cap_len \
        -e frame.encap_type -e eth.src -e eth.dst -e ip.id -e ip.checksum -e udp.checksum \
        -e tcp.checksum 2>/dev/null
}
wrote_same() { # file expr [-F fmt]
    local f=$1 e=$2; shift 2
    "$P" filter -Y "$e" "$@" -w "$tmp/out" "$f" || return 1
    records "$f" "$e" > "$tmp/a"; records "$tmp/out" > "$tmp/b"
    cmp -s "$tmp/a" "$tmp/b" || { diff "$tmp/a" "$tmp/b" | head -5; return 1; }
    [ -s "$tmp/a" ] || [ "$e" = "frame.number == 0" ] || { echo "nothing selected"; return 1; }
    if command -v tshark >/dev/null; then
        tshark -n -r "$f" -Y "$e" -o frame.generate_md5_hash:TRUE -T fields \
            -e frame.time_epoch -e frame.len -e frame.cap_len -e frame.md5_hash > "$tmp/ta" 2>/dev/null
        tshark -n -r "$tmp/out" -o frame.generate_md5_hash:TRUE -T fields \
            -e frame.time_epoch -e frame.len -e frame.cap_len -e frame.md5_hash > "$tmp/tb" 2>/dev/null
        cmp -s "$tmp/ta" "$tmp/tb" || { echo "tshark reads different records back"; diff "$tmp/ta" "$tmp/tb" | head -5; return 1; }
    fi
}
same_format() { # file expected-format-words
    "$P" info --no-hashes "$tmp/out" | grep -q "File type:.*$2"
}
t "-w pcap keeps the selected records" wrote_same $C/vxlan.pcap 'icmp.type == 8'
t "-w keeps pcap" same_format $C/vxlan.pcap ' pcap$'
t "-w nanosecond pcap keeps nanoseconds" wrote_same $C/tcp-handshake-nano.pcap 'tcp.flags.syn == 1'
t "-w keeps nanosecond pcap" same_format x 'nanosecond pcap'
t "-w pcapng keeps the selected records" wrote_same $C/gre.pcapng 'gre'
t "-w keeps pcapng" same_format x 'pcapng'
t "-w -F pcapng converts" wrote_same $C/vxlan.pcap 'arp' -F pcapng
t "-w -F pcap converts" wrote_same $C/gre.pcapng 'ip' -F pcap
t "-w with no match writes an empty capture" wrote_same $C/vxlan.pcap 'frame.number == 0'
# every record of a pcap written back as pcap: the record area is identical
all_bytes() {
    "$P" filter -w "$tmp/all" "$1" && cmp <(tail -c +25 "$1") <(tail -c +25 "$tmp/all")
}
t "-w of every record of a pcap is byte-identical after the header" all_bytes $C/vxlan.pcap
t "-w - writes to standard output" bash -c "'$P' filter -Y arp -w - $C/vxlan.pcap > '$tmp/o2' && '$P' info --no-hashes '$tmp/o2' | grep -q 'Number of packets: *2'"
