#!/usr/bin/env bash
# `-T fields` against live tshark: for every capture of filter_captures.txt
# (relative to DIR, normally ../shared/captures), the text of every field of
# tests/conformance/fields.txt must be what `tshark -n -r F -T fields -e ...`
# prints, for every frame (all occurrences, joined with ','). A field matches
# on a capture when its whole column is identical. FIELDS_LIST /
# FILTER_CAPS / PKTWATCH override the lists and the binary. Skips when
# tshark is absent; exits non-zero on any difference.
set -u
DIR=${1:?usage: fields.sh CAPTURE_DIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PW=${PKTWATCH:-$ROOT/build/pktwatch}
export TZ=UTC LC_ALL=C
if ! command -v tshark >/dev/null; then
    echo "SKIP fields conformance: tshark is not installed"
    exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/wsconf"
export WIRESHARK_CONFIG_DIR="$tmp/wsconf"
grep -v '^[[:space:]]*#' "${FIELDS_LIST:-$ROOT/tests/conformance/fields.txt}" |
    grep -v '^[[:space:]]*$' > "$tmp/fields"
CAPS=$(grep -v '^[[:space:]]*#' "${FILTER_CAPS:-$ROOT/tests/conformance/filter_captures.txt}" |
    grep -v '^[[:space:]]*$')
nf=$(wc -l < "$tmp/fields")
args=()
while IFS= read -r f; do args+=(-e "$f"); done < "$tmp/fields"

# known differences (dissection, not formatting): field<TAB>capture (or *)
declare -A known=()
while IFS=$'\t' read -r k c _; do
    case "$k" in ''|\#*) continue ;; esac
    known["$k"$'\t'"$c"]=1
done < "${FILTER_KNOWN:-$ROOT/tests/conformance/known.txt}"
is_known() { [ -n "${known["$1"$'\t'"$2"]+x}" ] || [ -n "${known["$1"$'\t*']+x}" ]; }

pairs=0 ok=0 bad=0 nbadfield=0 nknown=0
declare -A badfield=()
for rel in $CAPS; do
    f="$DIR/$rel"
    [ -f "$f" ] || { echo "missing capture: $rel"; continue; }
    tshark -n -r "$f" -T fields "${args[@]}" > "$tmp/ts" 2>/dev/null
    timeout 60 "$PW" filter -r "$f" -T fields "${args[@]}" > "$tmp/pw" 2>"$tmp/pw.err"
    rc=$?
    if [ $rc -ge 124 ]; then
        echo "CRASH pktwatch on $rel (exit $rc)"; head -3 "$tmp/pw.err"
    fi
    if [ "$(wc -l < "$tmp/ts")" != "$(wc -l < "$tmp/pw")" ]; then
        echo "MISMATCH $rel: tshark printed $(wc -l < "$tmp/ts") frames, pktwatch $(wc -l < "$tmp/pw")"
    fi
    i=0
    while IFS= read -r name; do
        i=$((i + 1))
        pairs=$((pairs + 1))
        cut -f"$i" "$tmp/ts" > "$tmp/a"
        cut -f"$i" "$tmp/pw" > "$tmp/b"
        if cmp -s "$tmp/a" "$tmp/b"; then
            ok=$((ok + 1))
            [ -n "${known["$name"$'\t'"$rel"]+x}" ] &&
                echo "NOW IDENTICAL (remove from known.txt): $name | $rel"
        elif is_known "$name" "$rel"; then
            nknown=$((nknown + 1))
        else
            bad=$((bad + 1))
            [ -n "${badfield[$name]+x}" ] || nbadfield=$((nbadfield + 1))
            badfield[$name]=1
            line=$(diff "$tmp/a" "$tmp/b" | grep -m1 -o '^[0-9]*' | head -1)
            printf 'MISMATCH %s | %s (frame %s)\n    tshark:   %s\n    pktwatch: %s\n' \
                "$name" "$rel" "$line" "$(sed -n "${line}p" "$tmp/a" | cut -c1-160)" \
                "$(sed -n "${line}p" "$tmp/b" | cut -c1-160)"
        fi
    done < "$tmp/fields"
done
ncap=$(echo $CAPS | wc -w)
echo "fields conformance: $nf fields x $ncap captures = $pairs pairs: $ok identical," \
     "$nknown known dissection differences (known.txt), $bad different in $nbadfield fields"
[ "$bad" -eq 0 ]
