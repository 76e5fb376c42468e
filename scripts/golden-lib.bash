# Shared by the scripts/update-golden-*.sh scripts (sourced, not run): every
# golden comes from the oracle (tshark 4.0.17) or from the corpus's own
# expected/ files, never from pktwatch. Each helper writes its golden file
# and prints the tests/golden/LIST row that checks it.
#   source "$(dirname "$0")/golden-lib.bash" "$@"   (first argument: CORPUS_DIR)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
C=${1:-../shared/captures}
# the corpus generator's options: default preferences, C locale, UTC
export TZ=UTC LC_ALL=C
tmpcfg=$(mktemp -d)
trap 'rm -rf "$tmpcfg"' EXIT
export WIRESHARK_CONFIG_DIR=$tmpcfg
# where the helpers write: fields/filter goldens and stats goldens
G=${G:-tests/golden/fields}
S=${S:-tests/golden/stats}
mkdir -p "$G" "$S"

# the -z spec of a corpus report file name
spec_of() {
    case $1 in
    phs) echo io,phs ;; dests) echo dests,tree ;; conv_tcp) echo conv,tcp ;;
    conv_udp) echo conv,udp ;; endpoints_ip) echo endpoints,ip ;;
    esac
}

# corpus_reports CORPUS_PATH [REPORT...]: copies the capture into
# tests/captures/ and the corpus's expected reports (default: all five) into
# $S, as goldens of `pktwatch stats -z SPEC`
corpus_reports() {
    local p=$1 n f
    shift
    n=$(basename "$p")
    cp "$C/$p" "tests/captures/$n"
    [ $# -gt 0 ] || set -- phs dests conv_tcp conv_udp endpoints_ip
    for f in "$@"; do
        cp "$C/expected/$p/$f.txt" "$S/$n.$f.txt"
        printf 'stats-%s-%s\t%s\t0\tstats -z %s tests/captures/%s\n' "$n" "$f" "$S/$n.$f.txt" \
            "$(spec_of "$f")" "$n"
    done
}

# tf OUT CAPTURE FIELD...: tshark -T fields of a capture in tests/captures/
tf() {
    local out=$1 cap=$2 a
    shift 2
    local args=()
    for a in "$@"; do args+=(-e "$a"); done
    tshark -n -r "tests/captures/$cap" -T fields "${args[@]}" > "$G/$out.txt" 2>/dev/null
    printf 'fields-%s\t%s\t0\tfilter -T fields%s tests/captures/%s\n' "$out" "$G/$out.txt" \
        "$(printf ' -e %s' "$@")" "$cap"
}

# ty OUT CAPTURE FILTER: the numbers of the frames the filter matches
ty() {
    local out=$1 cap=$2 flt=$3
    tshark -n -r "tests/captures/$cap" -Y "$flt" -T fields -e frame.number > "$G/$out.txt" 2>/dev/null
    printf 'filter-%s\t%s\t0\tfilter -Y %q -T fields -e frame.number tests/captures/%s\n' "$out" \
        "$G/$out.txt" "$flt" "$cap"
}
