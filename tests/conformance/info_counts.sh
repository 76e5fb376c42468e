#!/usr/bin/env bash
# `pktwatch info` over every capture under DIR (release and ASan builds):
# the packet count must equal tshark's (MANIFEST.tsv `packets`, or a live
# capinfos when there is no manifest), no run may crash, hang (30 s limit) or
# produce a sanitizer report, and exit codes must mean what --help says.
set -u
DIR=${1:?usage: info_counts.sh CAPTURE_DIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export TZ=UTC LC_ALL=C
ok=0 bad=0 total=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

expected_count() { # FILE (relative to DIR)
    if [ -f "$DIR/MANIFEST.tsv" ]; then
        awk -F'\t' -v f="$1" 'NR>1 && $1==f {print $9}' "$DIR/MANIFEST.tsv"
    elif command -v capinfos >/dev/null; then
        capinfos -M -c "$DIR/$1" 2>/dev/null | awk -F': *' '/Number of packets/ {print $2}'
    fi
}

while IFS= read -r -d '' f; do
    rel=${f#"$DIR"/}
    case "$rel" in expected/*|*.md|*.tsv|*.txt) continue ;; esac
    want=$(expected_count "$rel")
    [ -n "$want" ] || continue
    total=$((total + 1))
    for b in build build/asan; do
        timeout 30 "$ROOT/$b/pktwatch" info --json --no-hashes "$f" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        got=$(jq -r '.packets // empty' "$tmp/out" 2>/dev/null)
        problem=""
        if [ $rc -ge 124 ] || [ $rc -ge 128 ]; then problem="crashed or hung (exit $rc)";
        elif grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' "$tmp/err"; then problem="sanitizer report";
        elif [ "$want" = 0 ] && [ -z "$got" ] && [ $rc -eq 1 ]; then problem="";  # unreadable, 0 packets
        elif [ "$got" != "$want" ]; then problem="packets $got, tshark $want (exit $rc)";
        fi
        if [ -n "$problem" ]; then
            echo "MISMATCH [$b] $rel: $problem"; head -3 "$tmp/err" | sed 's/^/    /'
            bad=$((bad + 1)); continue 2
        fi
    done
    ok=$((ok + 1))
done < <(find "$DIR" -type f -print0 | sort -z)
echo "info packet counts: $ok of $total files equal tshark's ($bad differ)"
[ "$bad" -eq 0 ]
