#!/usr/bin/env bash
# Display filters against live tshark: for every expression of
# tests/conformance/filters.txt and every capture of filter_captures.txt
# (paths relative to DIR, normally ../shared/captures), the frame numbers that
# `pktwatch filter -Y EXPR -T fields -e frame.number` prints must be the ones
# `tshark -n -r F -Y EXPR -T fields -e frame.number` prints. An expression
# tshark rejects must be rejected by pktwatch too (and vice versa); only the
# fact that both fail is compared.
#
#   tests/conformance/filter.sh DIR                 all captures, all filters
#   FILTER_MODE=exact tests/conformance/filter.sh DIR
#
# Modes: "lua" (default when tshark has Lua) evaluates every expression in
# one tshark run per capture, as a tap with that display filter (a Lua
# Listener), which is the same compiled filter tshark applies with -Y and
# takes a minute instead of an hour; "exact" runs `tshark -Y` once per
# (expression, capture) pair. FILTER_LIST / FILTER_CAPS override the list of
# expressions / the file of capture paths (tests/conformance/
# filter_captures.txt). PKTWATCH overrides the binary.
# Exits 0 when every pair matches (or tshark is absent: the check is skipped).
set -u
DIR=${1:?usage: filter.sh CAPTURE_DIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PW=${PKTWATCH:-$ROOT/build/pktwatch}
LIST=${FILTER_LIST:-$ROOT/tests/conformance/filters.txt}
export TZ=UTC LC_ALL=C
if ! command -v tshark >/dev/null; then
    echo "SKIP filter conformance: tshark is not installed"
    exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/wsconf"
export WIRESHARK_CONFIG_DIR="$tmp/wsconf" # default preferences only

# the captures: tests/conformance/filter_captures.txt (or FILTER_CAPS)
CAPS=$(grep -v '^[[:space:]]*#' "${FILTER_CAPS:-$ROOT/tests/conformance/filter_captures.txt}" |
    grep -v '^[[:space:]]*$')

# expressions: one per line, '#' comments and blank lines skipped
grep -v '^[[:space:]]*#' "$LIST" | grep -v '^[[:space:]]*$' > "$tmp/exprs"
nexpr=$(wc -l < "$tmp/exprs")

MODE=${FILTER_MODE:-}
if [ -z "$MODE" ]; then
    if tshark -v 2>/dev/null | grep -q 'with Lua'; then MODE=lua; else MODE=exact; fi
fi

cat > "$tmp/conf.lua" <<'EOF'
-- One Listener per expression, each a tap with that display filter; the
-- frame numbers it sees are what -Y would select. BAD: tshark rejects it.
local exprs = {}
for line in io.lines(os.getenv("PW_EXPRS")) do exprs[#exprs + 1] = line end
local results = {}
for i, e in ipairs(exprs) do
    local ok, tap = pcall(Listener.new, "frame", e)
    if ok then
        local r = {}
        results[i] = r
        tap.packet = function(pinfo) r[#r + 1] = pinfo.number end
    else
        results[i] = false
    end
end
local fin = Listener.new("frame", nil)
fin.draw = function()
    local f = io.open(os.getenv("PW_OUT"), "w")
    for i = 1, #exprs do
        if results[i] then
            f:write("OK\t", table.concat(results[i], ","), "\n")
        else
            f:write("BAD\t\n")
        end
    end
    f:close()
end
EOF

# tshark's answers for one capture: one line per expression, "OK<TAB>1,2,3"
# or "BAD<TAB>"
tshark_answers() { # capture out
    if [ "$MODE" = lua ]; then
        PW_EXPRS="$tmp/exprs" PW_OUT="$2" tshark -n -q -r "$1" -X lua_script:"$tmp/conf.lua" \
            >/dev/null 2>"$tmp/tshark.err"
        [ -s "$2" ] && [ "$(wc -l < "$2")" -eq "$nexpr" ] && return 0
        # the Lua run failed (e.g. an unreadable file): fall back to -Y
    fi
    : > "$2"
    while IFS= read -r e; do
        if [ -z "${valid[$e]+x}" ]; then
            if tshark -n -r "$ROOT/tests/captures/empty.pcapng" -Y "$e" >/dev/null 2>&1; then
                valid[$e]=1
            else
                valid[$e]=0
            fi
        fi
        if [ "${valid[$e]}" = 0 ]; then
            printf 'BAD\t\n' >> "$2"
        else
            printf 'OK\t%s\n' "$(tshark -n -r "$1" -Y "$e" -T fields -e frame.number 2>/dev/null |
                paste -sd, -)" >> "$2"
        fi
    done < "$tmp/exprs"
}

pw_answer() { # capture expr: the -Y command line, as a user runs it
    local out rc
    out=$(timeout 20 "$PW" filter -Y "$2" -T fields -e frame.number "$1" 2>"$tmp/pw.err")
    rc=$?
    if [ $rc -eq 2 ]; then printf 'BAD\t'; return; fi
    if [ $rc -ge 124 ]; then printf 'CRASH(%d)\t' $rc; return; fi
    printf 'OK\t%s' "$(printf '%s\n' "$out" | grep -v '^$' | paste -sd, -)"
}

# pktwatch's answers for one capture, same format as tshark_answers. In lua
# mode every expression is evaluated in one run (`filter --batch`, which
# gives each filter a pass with the stages -Y would run for it); exact mode
# runs `pktwatch filter -Y` once per pair.
pw_answers() { # capture out
    if [ "$MODE" = lua ]; then
        timeout 300 "$PW" filter --batch "$tmp/exprs" "$1" > "$2" 2>"$tmp/pw.err"
        local rc=$?
        if [ $rc -ne 0 ] || [ "$(wc -l < "$2")" -ne "$nexpr" ]; then
            echo "pktwatch filter --batch failed on $1 (exit $rc)"; head -5 "$tmp/pw.err"
            : > "$2"
            while IFS= read -r e; do printf 'CRASH(%d)\t\n' $rc >> "$2"; done < "$tmp/exprs"
        fi
        return
    fi
    : > "$2"
    while IFS= read -r e; do printf '%s\n' "$(pw_answer "$1" "$e")" >> "$2"; done < "$tmp/exprs"
}

# known differences (dissection, not filtering): expression<TAB>capture
declare -A known=()
while IFS=$'\t' read -r k c _; do
    case "$k" in ''|\#*) continue ;; esac
    known["$k"$'\t'"$c"]=1
done < "${FILTER_KNOWN:-$ROOT/tests/conformance/known.txt}"
is_known() { [ -n "${known["$1"$'\t'"$2"]+x}" ] || [ -n "${known["$1"$'\t*']+x}" ]; }

declare -A valid
pairs=0 ok=0 bad=0 rejected=0 nbadexpr=0 nknown=0
declare -A badexpr=()
for rel in $CAPS; do
    f="$DIR/$rel"
    [ -f "$f" ] || { echo "missing capture: $rel"; continue; }
    tshark_answers "$f" "$tmp/ts.out"
    pw_answers "$f" "$tmp/pw.out"
    exec 3< "$tmp/ts.out" 4< "$tmp/pw.out"
    while IFS= read -r e; do
        IFS= read -r want <&3
        IFS= read -r got <&4
        pairs=$((pairs + 1))
        if [ "$want" = "$got" ]; then
            ok=$((ok + 1))
            [ "${want%%$'\t'*}" = BAD ] && rejected=$((rejected + 1))
            [ -n "${known["$e"$'\t'"$rel"]+x}" ] &&
                echo "NOW MATCHES (remove from known.txt): $e | $rel"
        elif is_known "$e" "$rel"; then
            nknown=$((nknown + 1))
        else
            bad=$((bad + 1))
            [ -n "${badexpr[$e]+x}" ] || nbadexpr=$((nbadexpr + 1))
            badexpr[$e]=1
            w=${want#*$'\t'} g=${got#*$'\t'}
            printf 'MISMATCH %s | %s\n    tshark:   %s %s\n    pktwatch: %s %s\n' "$e" "$rel" \
                "${want%%$'\t'*}" "${w:0:160}" "${got%%$'\t'*}" "${g:0:160}"
        fi
    done < "$tmp/exprs"
    exec 3<&- 4<&-
done
ncap=$(echo $CAPS | wc -w)
echo "filter conformance ($MODE): $nexpr expressions x $ncap captures = $pairs pairs:" \
     "$ok matched ($rejected both rejected), $nknown known dissection differences" \
     "(known.txt), $bad mismatched in $nbadexpr expressions"
[ "$bad" -eq 0 ]
