#!/usr/bin/env bash
# Command-line behaviour of `pktwatch info`: help, exit codes, standard
# input, JSON that parses and agrees with the text output.
set -u
SUITE=info-cli
. "$(dirname "$0")/lib.bash"

t "help exits 0" rc_is 0 "$P" info --help
t "top-level help exits 0" rc_is 0 "$P" --help
t "no file is a usage error (2)" rc_is 2 "$P" info
t "unknown option is a usage error (2)" rc_is 2 "$P" info --bogus $C/pptp.pcap
t "unknown command is a usage error (2)" rc_is 2 "$P" frobnicate
t "missing file fails (1)" rc_is 1 "$P" info "$tmp/does-not-exist.pcap"
t "a text file is not a capture (1)" rc_is 1 "$P" info README.md
t "error message names the file" bash -c "'$P' info README.md 2>&1 >/dev/null | grep -q 'README.md'"
t "cut-short file exits 3 and names the offset" bash -c "'$P' info $C/fuzz-2021-10-13.pcap 2>&1 >/dev/null | grep -q 'offset'"

json_matches_text() { # file
    local f=$1
    "$P" info --json "$f" > "$tmp/j" 2>/dev/null
    "$P" info "$f" > "$tmp/t" 2>/dev/null
    jq -e . "$tmp/j" >/dev/null || { echo "invalid JSON"; return 1; }
    local jp tp jd td
    jp=$(jq -r .packets "$tmp/j"); tp=$(awk -F': *' '/^Number of packets/ {print $2}' "$tmp/t")
    jd=$(jq -r .data_size "$tmp/j"); td=$(awk '/^Data size/ {print $3}' "$tmp/t")
    [ "$jp" = "$tp" ] || { echo "packets json=$jp text=$tp"; return 1; }
    # the text shows humanised units above 10 kB; compare exactly only below
    if [ "$jd" -lt 10000 ]; then [ "$jd" = "$td" ] || { echo "data size json=$jd text=$td"; return 1; }; fi
    [ "$(jq -r .sha256 "$tmp/j")" = "$(awk '/^SHA256/ {print $2}' "$tmp/t")" ] || { echo sha256; return 1; }
    [ "$(jq -r '.interfaces | length' "$tmp/j")" = "$(awk -F': *' '/^Number of interfaces/ {print $2}' "$tmp/t")" ] || { echo interfaces; return 1; }
}
for f in $C/*.pcap*; do
    t "json agrees with text: $(basename "$f")" json_matches_text "$f"
done

stdin_same() { # file: reading from a pipe gives the same packet count and data size
    local f=$1 a b
    a=$("$P" info --json --no-hashes "$f" 2>/dev/null | jq -c '[.packets, .data_size, .captured_size]')
    b=$(cat "$f" | "$P" info --json --no-hashes - 2>/dev/null | jq -c '[.packets, .data_size, .captured_size]')
    [ "$a" = "$b" ] || { echo "file=$a stdin=$b"; return 1; }
}
for f in $C/pcapng-multi-interface.pcapng $C/dtls.pcap $C/pptp.pcap; do
    t "stdin equals file: $(basename "$f")" stdin_same "$f"
done
t "several files: JSON array" bash -c "'$P' info --json --no-hashes $C/pptp.pcap $C/dns.pcap | jq -e 'length == 2 and .[1].packets == 5'"
