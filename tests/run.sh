#!/usr/bin/env bash
# Runs every test against one build directory (build or build/asan):
# unit-test programs, then the golden cases in tests/golden/LIST, then the
# shell tests in tests/cli/. Prints one PASS/FAIL line per case and a closing
# "N passed, N failed" line; exits non-zero if anything failed.
set -u
B=${1:?usage: tests/run.sh BUILD_DIR}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export TZ=UTC LC_ALL=C
export PW_BUILD="$B"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
pass=0 fail=0
count() { # reads PASS/FAIL lines on stdin, echoes them, updates counters via a temp file
    while IFS= read -r line; do
        echo "$line"
        case "$line" in
        PASS\ *) pass=$((pass + 1)) ;;
        FAIL\ *) fail=$((fail + 1)) ;;
        esac
    done
}

for t in "$B"/tests/test_*; do
    [ -x "$t" ] || continue
    out=$("$t" 2>&1); rc=$?
    count < <(printf '%s\n' "$out" | sed -n 's/^\(PASS\|FAIL\) /&'"$(basename "$t")"': /p')
    printf '%s\n' "$out" | grep -v '^\(PASS\|FAIL\) ' | sed 's/^/    /'
    if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL '; then
        echo "FAIL $(basename "$t"): exited $rc"; fail=$((fail + 1))
    fi
done

# Fuzz seed corpora (and kept crash inputs) replayed under the sanitizers.
for t in "$B"/replay/fuzz_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    dir=fuzz/corpus/$name
    [ -d "$dir" ] || continue
    if out=$(find "$dir" -type f ! -name '*.md' -print0 | xargs -0 -r "$t" 2>&1); then
        echo "PASS fuzz-replay: $name ($(printf '%s\n' "$out" | tail -1))"; pass=$((pass + 1))
    else
        echo "FAIL fuzz-replay: $name"; printf '%s\n' "$out" | tail -20 | sed 's/^/    /'; fail=$((fail + 1))
    fi
done

# Golden cases: name <TAB> expected-file <TAB> exit-code <TAB> arguments
if [ -f tests/golden/LIST ]; then
    while IFS=$'\t' read -r name expected want_rc args; do
        case "$name" in ''|\#*) continue ;; esac
        got=$(eval "\"$B/pktwatch\" $args" 2>/tmp/pw_golden_err.$$); rc=$?
        if [ "$rc" != "$want_rc" ]; then
            echo "FAIL golden: $name (exit $rc, want $want_rc)"; sed 's/^/    /' /tmp/pw_golden_err.$$ | head -20
            fail=$((fail + 1))
        elif ! diff -u "$expected" <(printf '%s\n' "$got") > /tmp/pw_golden_diff.$$; then
            echo "FAIL golden: $name"; head -40 /tmp/pw_golden_diff.$$ | sed 's/^/    /'
            fail=$((fail + 1))
        elif grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' /tmp/pw_golden_err.$$; then
            echo "FAIL golden: $name (sanitizer report)"; head -20 /tmp/pw_golden_err.$$ | sed 's/^/    /'
            fail=$((fail + 1))
        else
            echo "PASS golden: $name"; pass=$((pass + 1))
        fi
    done < tests/golden/LIST
    rm -f /tmp/pw_golden_err.$$ /tmp/pw_golden_diff.$$
fi

# Shell tests: each tests/cli/*.sh and tests/e2e/*.sh prints PASS/FAIL (or SKIP) lines itself.
for s in tests/cli/*.sh tests/e2e/*.sh; do
    [ -f "$s" ] || continue
    while IFS= read -r line; do
        echo "$line"
        case "$line" in
        PASS\ *) pass=$((pass + 1)) ;;
        FAIL\ *) fail=$((fail + 1)) ;;
        esac
    done < <(bash "$s" "$B" 2>&1)
done

echo "$(basename "$B"): $pass passed, $fail failed"
[ "$fail" -eq 0 ]
