#!/usr/bin/env bash
# Regenerates the expected output of `pktwatch info` for test captures from
# the oracle: capinfos 4.0's text, followed by the two anomaly counts tshark
# gives (frames marked _ws.malformed, frames marked _ws.short).
#   scripts/update-golden-info.sh tests/captures/NAME...
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC LC_ALL=C
for f in "$@"; do
    name=$(basename "$f")
    out=tests/golden/info/$name.txt
    mkdir -p tests/golden/info
    capinfos "$f" > "$out" 2>/dev/null || true
    mal=$(tshark -n -r "$f" -Y _ws.malformed -T fields -e frame.number 2>/dev/null | grep -c . || true)
    short=$(tshark -n -r "$f" -Y _ws.short -T fields -e frame.number 2>/dev/null | grep -c . || true)
    printf 'Malformed packets:   %s\nTruncated packets:   %s\n' "$mal" "$short" >> "$out"
    echo "wrote $out"
done
