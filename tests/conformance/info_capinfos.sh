#!/usr/bin/env bash
# `pktwatch info` text against a live `capinfos` (Wireshark 4.0) on every
# capture under DIR: the capinfos part of our output (everything before our
# anomaly lines) must be byte-identical. Reports the agreement and the files
# that differ; fails below 95%. Skips when capinfos is not installed.
set -u
DIR=${1:?usage: info_capinfos.sh CAPTURE_DIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export TZ=UTC LC_ALL=C
command -v capinfos >/dev/null || { echo "info vs capinfos: SKIP (capinfos not installed)"; exit 0; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok=0 total=0 differ=()
cd "$DIR"
while IFS= read -r -d '' f; do
    f=${f#./}
    case "$f" in expected/*|*.md|*.tsv|*.txt) continue ;; esac
    total=$((total + 1))
    capinfos "$f" > "$tmp/want" 2>/dev/null
    "$ROOT/build/pktwatch" info "$f" 2>/dev/null |
        grep -v '^Malformed packets:\|^Truncated packets:\|^Other anomalies:' > "$tmp/got"
    if cmp -s "$tmp/want" "$tmp/got"; then ok=$((ok + 1)); else differ+=("$f"); fi
done < <(find . -type f -print0 | sort -z)
echo "info vs capinfos: $ok of $total files byte-identical"
for f in "${differ[@]}"; do echo "  differs: $f"; done
[ $((ok * 100)) -ge $((total * 95)) ]
