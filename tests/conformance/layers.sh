#!/usr/bin/env bash
# Compares pktwatch's layer chains with tshark's frame.protocols, frame by
# frame, over the capture corpus in shared/captures (the oracle is
# expected/<file>/frames.tsv, written by tshark 4.0.17).
#
# Usage: tests/conformance/layers.sh [-d] [-m MIN_PCT] [BUILD_DIR] [FILE...]
#   -d        list every differing frame (file, frame, tshark, pktwatch)
#   -m PCT    exit 1 when the overall in-scope agreement is below PCT
#   BUILD_DIR build directory holding tools/layers (default: build)
#   FILE      capture paths relative to shared/captures (default: all)
#
# Normalisation (what is compared):
#   tshark's frame.protocols:
#     - `ethertype` is dropped: tshark lists the EtherType dispatcher as a
#       protocol, but it is not a header (and not a phs level);
#     - the chain is cut at the first protocol that pktwatch does not
#       dissect yet, which is replaced by `data`: an application protocol
#       above TCP/UDP (dns, tls, http, ...), a tunnel we do not decode (gtp,
#       teredo, mpls, erspan, ...), a link type we do not bind (radiotap,
#       fddi, ...: the whole chain becomes `data`, which is what we produce
#       for an unknown link type). pktwatch shows such payloads as `data`.
#     - `mptcp` (a TCP option) and `f5ethtrailer` (an Ethernet trailer) are
#       dropped: tshark lists them as protocols but they are parts of headers
#       we dissect, not layers;
#   pktwatch's chain:
#     - `_ws.malformed`, `_ws.short`, `_ws.unreassembled` and `pkt_comment`
#       are dropped:
#       frame.protocols does not list them (tshark shows them in the protocol
#       hierarchy only), nor `wlan.mgt` (a hierarchy level only);
#     - the same cut as tshark's: from the first layer not in the list below
#       (an application protocol of the application stage: dns, http, ...)
#       the chain is `data`, so both sides are compared on the same terms.
# A frame agrees when the two normalised chains are equal. One difference is
# counted apart, as "held for TCP reassembly": tshark shows a TCP segment
# whose payload an application dissector asked to reassemble with more
# segments as plain `tcp`, where pktwatch (no application dissectors yet)
# shows `tcp:data`. "In scope" frames
# are those whose tshark chain starts with a link layer we dissect.
#
# A second check uses the protocol-hierarchy statistics (phs.txt): the same
# cut is applied to tshark's tree, and the tree built from pktwatch's phs
# paths (layers without PW_LF_QUOTED / PW_LF_SUBTREE, with `_ws.malformed`
# and `_ws.short`) must have the same frame count on every node. This checks
# the pseudo layers and the quoted/subtree flags, which frame.protocols
# cannot show.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIFFS=0 MIN=
while [ $# -gt 0 ]; do
    case "$1" in
    -d) DIFFS=1; shift ;;
    -m) MIN=$2; shift 2 ;;
    *) break ;;
    esac
done
B=${1:-build}
[ $# -gt 0 ] && shift
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
CAP="$ROOT/../shared/captures"
[ -d "$CAP" ] || CAP=/work/shared/captures
TOOL="$B/tools/layers"
[ -x "$TOOL" ] || { echo "layers.sh: $TOOL not built (make $B/tools/layers)" >&2; exit 2; }

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

if [ $# -gt 0 ]; then
    printf '%s\n' "$@" > "$OUT/list"
else
    (cd "$CAP" && find tcpdump ndpi zeek -type f | sort) > "$OUT/list"
fi
# Run the tool on every capture that has an oracle.
while IFS= read -r f; do
    exp="$CAP/expected/$f"
    [ -f "$exp/frames.tsv" ] || continue
    mkdir -p "$OUT/ours/$(dirname "$f")"
    "$TOOL" -v "$CAP/$f" > "$OUT/ours/$f.tsv" 2> "$OUT/ours/$f.err"
    echo "$f" >> "$OUT/ran"
done < "$OUT/list"

python3 - "$CAP" "$OUT" "$DIFFS" "${MIN:-}" <<'PYEOF'
import collections, os, sys

cap, out, show_diffs, min_pct = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4]

# Protocols pktwatch dissects (layer abbreviations of src/dissect/protos.def).
OURS = {"eth", "llc", "vlan", "ieee8021ad", "sll", "null", "raw", "ppp", "pppoes", "loop",
        "arp", "ip", "ipv6", "icmp", "icmpv6", "ipv6.hopopts", "ipv6.routing",
        "ipv6.fraghdr", "ipv6.dstopts", "ah", "tcp", "udp", "gre", "vxlan", "data",
        "mpls", "ieee8021ah", "geneve", "ayiya", "gtp", "gtpv2", "gtpprime", "nsh", "erspan", "cmd",
        "vntag", "cfp", "sctp", "m3ua", "megaco", "esp", "vrrp", "bofl"}
# more link types (branch linktypes)
LINKTYPES = {"chdlc", "slarp", "cdp", "nflog", "arcnet", "ipoib", "ipnet", "pktap", "ppi",
             "pcap_pktdata", "fddi", "radiotap", "wlan_radio", "wlan", "wlan.mgt"}
OURS |= LINKTYPES
PSEUDO = {"_ws.malformed", "_ws.short", "_ws.unreassembled", "pkt_comment"}
# tree items that frame.protocols does not list (a phs level only)
NOT_LISTED = {"wlan.mgt"}
LINKS = {"eth", "sll", "null", "raw", "ppp", "ip", "ipv6"}
LINKS |= {"chdlc", "nflog", "arcnet", "ipoib", "ipnet", "pktap", "ppi", "fddi", "radiotap",
          "wlan"}

def norm_tshark(chain):
    res = []
    for p in chain.split(":"):
        if p in ("ethertype", "frame", "mptcp", "f5ethtrailer"):
            continue
        if p not in OURS:
            res.append("data")
            break
        res.append(p)
    return ":".join(res)

def norm_ours(chain):
    # cut like tshark's chain: a layer this script does not know (an
    # application protocol such as dns, from the application stage) and
    # what follows becomes `data`
    res = []
    for p in chain.split(":"):
        if not p or p in PSEUDO or p in NOT_LISTED:
            continue
        if p not in OURS and p != "(missing)":
            res.append("data")
            break
        res.append(p)
    return ":".join(res)

def read_phs(path):
    counts = collections.Counter()
    stack = []
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return None
    for ln in lines:
        if "frames:" not in ln:
            continue
        name_part, rest = ln.split(" frames:", 1)
        frames = int(rest.split()[0])
        stripped = name_part.rstrip()
        indent = len(stripped) - len(stripped.lstrip(" "))
        name = stripped.strip()
        if name.startswith("..."):
            continue  # depth >= 17: far beyond anything we dissect
        depth = indent // 2
        stack = stack[:depth] + [name]
        path = stack[:]
        cut = None
        for i, p in enumerate(path):
            if p not in OURS and p not in PSEUDO:
                cut = i
                break
        if cut is None:
            counts[tuple(path)] += frames
        elif cut == len(path) - 1:
            counts[tuple(path[:cut] + ["data"])] += frames
    return counts

def ours_phs(rows):
    counts = collections.Counter()
    for phs in rows:
        path = []
        for p in phs.split(":"):
            if not p:
                continue
            if p not in OURS and p not in PSEUDO:
                path.append("data")
                break
            path.append(p)
        for i in range(1, len(path) + 1):
            counts[tuple(path[:i])] += 1
    return counts

tot = collections.Counter()
diffs = collections.Counter()
report = []
for f in open(os.path.join(out, "ran")).read().split():
    corpus = f.split("/")[0]
    exp = {}
    for ln in open(os.path.join(cap, "expected", f, "frames.tsv")).read().splitlines()[1:]:
        cols = ln.split("\t")
        if len(cols) >= 5:
            exp[int(cols[0])] = cols[4]
    ours, ophs = {}, []
    for ln in open(os.path.join(out, "ours", f + ".tsv")).read().splitlines():
        cols = ln.split("\t")
        ours[int(cols[0])] = cols[1]
        if len(cols) > 2:
            ophs.append((int(cols[0]), cols[2]))
    n = ok = scope = scope_ok = held = 0
    held_frames = set()
    for num, chain in exp.items():
        t = norm_tshark(chain)
        o = norm_ours(ours.get(num, "(missing)"))
        first = chain.split(":")[0]
        inscope = first in LINKS
        n += 1
        scope += inscope
        if t == o:
            ok += 1
            scope_ok += inscope
        elif o == t + ":data" and t.endswith(":tcp"):
            held += 1
            held_frames.add(num)
            if show_diffs:
                print("HELD\t%s\t%d\t%s\t%s" % (f, num, t, o))
        else:
            diffs[(t, o)] += 1
            if show_diffs:
                print("DIFF\t%s\t%d\t%s\t%s" % (f, num, t, o))
    tphs = read_phs(os.path.join(cap, "expected", f, "phs.txt"))
    # the oracle's phs covers the frames tshark read
    # a segment tshark held for reassembly ends at `tcp` in its hierarchy too
    mine = ours_phs(p[:-5] if num in held_frames and p.endswith(":data") else p
                    for num, p in ophs if num in exp)
    phs_ok = tphs is not None and +tphs == +mine
    for k in (corpus, "all"):
        tot[k, "n"] += n
        tot[k, "ok"] += ok
        tot[k, "scope"] += scope
        tot[k, "scope_ok"] += scope_ok
        tot[k, "files"] += 1
        tot[k, "files_ok"] += ok == n
        tot[k, "held"] += held
        tot[k, "phs_ok"] += phs_ok
    report.append((f, n, ok, held, phs_ok))

print("%-60s %13s %8s  %s" % ("file", "agree/frames", "", "tcp-held  phs"))
for f, n, ok, held, phs_ok in report:
    pct = 100.0 * ok / n if n else 100.0
    print("%-60s %6d/%-6d %6.2f%%  %6d  %s" % (f, ok, n, pct, held, "ok" if phs_ok else "DIFF"))
print()
print("Most frequent differences (tshark normalised -> pktwatch):")
for (t, o), c in diffs.most_common(25):
    print("  %6d  %s  ->  %s" % (c, t, o))
print()
for k in ("tcpdump", "ndpi", "zeek", "all"):
    n, ok = tot[k, "n"], tot[k, "ok"]
    s, sok = tot[k, "scope"], tot[k, "scope_ok"]
    if not tot[k, "files"]:
        continue
    h = tot[k, "held"]
    print("%-8s files %3d (all frames agree: %3d, phs agrees: %3d)  frames %d/%d = %.2f%%"
          " (+%d held for TCP reassembly = %.2f%%)  in scope %d/%d = %.2f%%" % (
              k, tot[k, "files"], tot[k, "files_ok"], tot[k, "phs_ok"], ok, n,
              100.0 * ok / n if n else 100, h, 100.0 * (ok + h) / n if n else 100,
              sok, s, 100.0 * sok / s if s else 100))
if min_pct:
    s, sok = tot["all", "scope"], tot["all", "scope_ok"]
    if s and 100.0 * sok / s < float(min_pct):
        print("FAIL layers: in-scope agreement below %s%%" % min_pct)
        sys.exit(1)
PYEOF
