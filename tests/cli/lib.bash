# Shared set-up of the command-line tests, sourced by tests/cli/*.sh after
# they set SUITE (the prefix of their PASS/FAIL lines). Takes the script's
# BUILD_DIR argument; gives P (the pktwatch binary), C (the shipped
# captures), a scratch directory $tmp removed on exit, and:
#   t NAME COMMAND...    PASS when the command succeeds, else FAIL and its output
#   rc_is WANT COMMAND...  succeeds when the command exits WANT
B=${1:?usage: $0 BUILD_DIR}
P="$B/pktwatch"
C=tests/captures
export TZ=UTC LC_ALL=C
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

t() { # name, then a command that must succeed
    local name=$1; shift
    if "$@" >"$tmp/log" 2>&1; then echo "PASS $SUITE: $name"; else echo "FAIL $SUITE: $name"; sed 's/^/    /' "$tmp/log" | head -20; fi
}

rc_is() { # want, command...
    local want=$1; shift
    "$@" >/dev/null 2>"$tmp/err"; local rc=$?
    [ "$rc" = "$want" ] || { echo "exit $rc, want $want"; cat "$tmp/err"; return 1; }
}
