#!/usr/bin/env bash
# Golden files for the certificate contents TLS lists in frame.protocols
# (src/dissect/x509.c), all from the oracle (tshark 4.0.17), never from
# pktwatch: `filter -T fields -e frame.number -e frame.protocols` as
# tshark -T fields prints it (corpus generator's options: -n, default
# preferences, C locale, UTC), and the corpus's own expected io,phs.
# Copies the captures into tests/captures/ (one is cut from a larger corpus
# file with editcap, see tests/captures/PROVENANCE.md) and prints the
# tests/golden/LIST rows.
#   scripts/update-golden-x509.sh [CORPUS_DIR]
source "$(dirname "$0")/golden-lib.bash" "$@"
# a certificate chain reassembled from two segments, with a directoryName
# in an authority key identifier; an SSLv2 SERVER-HELLO's certificate
cp "$C/zeek/tls/tls1.2.pcap" tests/captures/tls1.2.pcap
cp "$C/zeek/tls/ssl-v2.pcap" tests/captures/ssl-v2.pcap
# the first TCP connection of iphone.pcap: an ECDSA chain with SCT lists,
# then a CertificateStatus with an OCSP response and its responder's cert
sel=$(tshark -n -r "$C/ndpi/iphone.pcap" -Y 'tcp.stream==0' -T fields -e frame.number)
# shellcheck disable=SC2086
editcap -r "$C/ndpi/iphone.pcap" tests/captures/iphone-stream0.pcap $sel
chmod 644 tests/captures/tls1.2.pcap tests/captures/ssl-v2.pcap tests/captures/iphone-stream0.pcap
for n in tls1.2.pcap ssl-v2.pcap iphone-stream0.pcap; do
    tf "$n.x509" "$n" frame.number frame.protocols
done
for p in zeek/tls/tls1.2.pcap zeek/tls/ssl-v2.pcap; do
    corpus_reports "$p" phs
done
