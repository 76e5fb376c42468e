#!/usr/bin/env bash
# End-to-end test of pktwatchd and `pktwatch capture` (issue 7).
#
# Builds two network namespaces joined by a veth pair (10.99.x.1 <-> 10.99.x.2,
# nothing else is ever addressed), runs pktwatchd inside the first one on its
# own loopback with a bearer token, and drives it with the CLI and with curl
# while bounded traffic flows between the namespaces: HTTP requests (served by
# a second pktwatchd in the other namespace, whose 401 answers are fine as
# traffic), UDP datagrams from bash's /dev/udp, and the ICMP errors they draw.
#
# usage: tests/e2e/agent.sh BUILD_DIR     prints PASS/FAIL/SKIP lines
# Needs root (namespaces), ip(8) and curl; python3 for the file checks
# (tests/e2e/pcapcheck.py); tshark, when installed, cross-checks the files.
set -u
B=${1:?usage: tests/e2e/agent.sh BUILD_DIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "$B" 2>/dev/null && pwd) || { echo "FAIL agent: no build directory $1"; exit 1; }
T_NAME=agent

skip_all() { echo "SKIP $T_NAME: $1"; exit 0; }
[ "$(id -u)" = 0 ] || skip_all "needs root to create network namespaces"
command -v ip >/dev/null || skip_all "ip (iproute2) not installed"
command -v curl >/dev/null || skip_all "curl not installed"
[ -x "$B/pktwatchd" ] || skip_all "$B/pktwatchd not built"
PY=$(command -v python3) || skip_all "python3 not installed (tests/e2e/pcapcheck.py reads the files)"
TSHARK=$(command -v tshark || true)
CLI=""
if [ -x "$B/pktwatch" ] && "$B/pktwatch" capture --help >/dev/null 2>&1; then CLI="$B/pktwatch"; fi

ID=$$
NSA=pwt${ID}a NSB=pwt${ID}b
VA=pwva$((ID % 100000)) VB=pwvb$((ID % 100000))
NET=10.99.$((ID % 200 + 20))
IPA=$NET.1 IPB=$NET.2
T=$(mktemp -d /tmp/pwagent.XXXXXX)
PORT=8440
SRVPORT=8080
TOKEN=tok-$RANDOM$RANDOM$RANDOM
DPID="" SPID=""
pass=0 fail=0

cleanup() {
    for p in $DPID $SPID; do kill -9 "$p" 2>/dev/null; done
    # anything else we started inside the namespaces
    for ns in $NSA $NSB; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    ip link del "$VA" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { echo "PASS $T_NAME: $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $T_NAME: $1${2:+ -- $2}"; fail=$((fail + 1)); }
check() { # check NAME CONDITION-COMMAND...
    local name=$1; shift
    if "$@"; then ok "$name"; else ko "$name" "$(tail -c 400 "$T/last" 2>/dev/null | tr '\n' ' ')"; fi
}

inA() { ip netns exec "$NSA" "$@"; }
inB() { ip netns exec "$NSB" "$@"; }

# ---- namespaces ------------------------------------------------------------------
ip netns add "$NSA" && ip netns add "$NSB" || skip_all "cannot create network namespaces"
ip link add "$VA" type veth peer name "$VB" || skip_all "cannot create a veth pair"
ip link set "$VA" netns "$NSA" && ip link set "$VB" netns "$NSB"
inA ip addr add "$IPA/24" dev "$VA"; inB ip addr add "$IPB/24" dev "$VB"
inA ip link set lo up; inB ip link set lo up
inA ip link set "$VA" up; inB ip link set "$VB" up

# A traffic peer in B: another pktwatchd on B's veth address.
echo "peer-$RANDOM" > "$T/tokB"; chmod 600 "$T/tokB"
# `ip netns exec` execs the program, so $! is the daemon itself.
ip netns exec "$NSB" "$B/pktwatchd" --data-dir "$T/dB" --listen "$IPB:$SRVPORT" \
    --token-file "$T/tokB" 2>"$T/peer.log" &
SPID=$!
disown $SPID

echo "$TOKEN" > "$T/token"; chmod 600 "$T/token"
CROOT=$T/captures
start_daemon() {
    ip netns exec "$NSA" "$B/pktwatchd" --data-dir "$T/d" --capture-root "$CROOT" \
        --listen "127.0.0.1:$PORT" --token-file "$T/token" --max-sessions 6 \
        --buffer-size 1048576 2>>"$T/daemon.log" &
    DPID=$!
    for _ in $(seq 50); do
        inA curl -s -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
start_daemon || { cat "$T/daemon.log"; ko "daemon starts"; exit 1; }
for _ in $(seq 50); do inA curl -s -o /dev/null "http://$IPB:$SRVPORT/" && break; sleep 0.1; done

U=http://127.0.0.1:$PORT
# api METHOD PATH [BODY] -> body in $T/last, status in $CODE
api() {
    local args=(-s -o "$T/last" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOKEN")
    [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
    CODE=$(inA curl "${args[@]}" "$U$2")
}
jget() { sed -n 's/.*"'"$1"'":"\{0,1\}\([^",}]*\).*/\1/p' "${2:-$T/last}" | head -1; }
status_of() { api POST "/packetCaptures/$1/queryStatus"; jget packetCaptureStatus; }
wait_stopped() { # NAME [tenths]
    for _ in $(seq "${2:-60}"); do
        [ "$(status_of "$1")" != Running ] && return 0
        sleep 0.1
    done
    return 1
}
# Traffic. Every request is one TCP connection to B:$SRVPORT.
http_conns() { # N [padding-bytes]
    local pad; pad=$(head -c "${2:-16}" /dev/zero | tr '\0' x)
    for _ in $(seq "$1"); do inA curl -s -m 2 -o /dev/null "http://$IPB:$SRVPORT/p?$pad"; done
}
closed_port() { for _ in $(seq "$1"); do inA curl -s -m 1 -o /dev/null "http://$IPB:$((SRVPORT + 1))/"; done; }
udp_burst() { inA bash -c "for i in \$(seq $1); do echo datagram-\$i > /dev/udp/$IPB/9999; done" 2>/dev/null; }
pcapstat() { # FILE... -> key=value line on stdout
    if [ -n "$PY" ]; then "$PY" "$ROOT/tests/e2e/pcapcheck.py" --port "$SRVPORT" "$@"; else echo "nopython=1"; fi
}
kv() { sed -n 's/.*\<'"$1"'=\([0-9]*\).*/\1/p' <<<"$2"; }
download() { # NAME FILE
    if [ -n "$CLI" ]; then
        inA "$CLI" capture download --name "$1" --output-file "$2" --server "$U" \
            --token-file "$T/token" >"$T/last" 2>&1
    else
        inA curl -sf -o "$2" -H "Authorization: Bearer $TOKEN" "$U/packetCaptures/$1/file"
    fi
}
cli() { inA "$CLI" capture "$@" --server "$U" --token-file "$T/token"; }
# analysis_matches NAME FILE: GET .../analysis is 200 and equals what the CLI
# says of FILE (the session's download): packets as `pktwatch info --json`,
# each stats report as `pktwatch stats --json -z SPEC`, rtt and alerts as
# `pktwatch rtt|alerts --json` (but for their "file" key). $T/last says why not.
jqt() { jq -e "$@" >/dev/null; } # a jq test, quietly
PW=""; [ -x "$B/pktwatch" ] && command -v jq >/dev/null && PW="$B/pktwatch"
analysis_matches() {
    api GET "/packetCaptures/$1/analysis"; cp "$T/last" "$T/an-$1.json"
    local a=$T/an-$1.json got want spec
    [ "$CODE" = 200 ] || { echo "analysis: HTTP $CODE $(cat "$a")" > "$T/last"; return 1; }
    want=$("$PW" info --json "$2" 2>/dev/null | jq .packets); got=$(jq .packets "$a")
    [ -n "$want" ] && [ "$got" = "$want" ] || { echo "packets: analysis $got, info $want" > "$T/last"; return 1; }
    for spec in io,phs dests,tree conv,tcp conv,udp endpoints,ip; do
        "$PW" stats --json -z "$spec" "$2" > "$T/cli.json" 2>/dev/null
        jq -e --slurpfile c "$T/cli.json" --arg s "$spec" '.stats[$s] == $c[0]' "$a" >/dev/null ||
            { echo "stats $spec differs from pktwatch stats --json" > "$T/last"; return 1; }
    done
    for part in rtt alerts; do
        "$PW" "$part" --json "$2" > "$T/cli.json" 2>/dev/null
        jq -e --slurpfile c "$T/cli.json" --arg p "$part" '(.[$p] | del(.file)) == ($c[0] | del(.file))' \
            "$a" >/dev/null || { echo "$part differs from pktwatch $part --json" > "$T/last"; return 1; }
    done
    return 0
}

# ---- 1. port filter: exactly the matching packets -----------------------------------
body='{"properties":{"target":"'$VA'","storageLocation":{"filePath":"port/f1.cap"},
  "filters":[{"protocol":"TCP","remoteIPAddress":"'$IPB'","remotePort":"'$SRVPORT'"}]}}'
if [ -n "$CLI" ]; then
    cli create --name f1 --target "$VA" --file-path port/f1.cap \
        --filters '[{"protocol":"TCP","remoteIPAddress":"'$IPB'","remotePort":"'$SRVPORT'"}]' \
        >"$T/last" 2>&1
    check "cli create starts a session" grep -q '"effectiveFilter"' "$T/last"
else
    api PUT /packetCaptures/f1 "$body"
    check "create starts a session (201)" [ "$CODE" = 201 ]
fi
http_conns 10; closed_port 5; udp_burst 20
sleep 0.3
if [ -n "$CLI" ]; then
    cli stop --name f1 >"$T/last" 2>&1
    check "cli stop waits until Stopped (ManualIntervention)" grep -q '"stopReason": "ManualIntervention"' "$T/last"
    cli show-status --name f1 -o table >"$T/last" 2>&1
    check "cli show-status -o table" grep -q "^f1 .*Stopped" "$T/last"
    cli list -o table >"$T/last" 2>&1
    check "cli list -o table" grep -q "^f1 .*$VA" "$T/last"
else
    api POST /packetCaptures/f1/stop; wait_stopped f1
fi
download f1 "$T/f1.pcap"
s=$(pcapstat "$T/f1.pcap"); echo "$s" > "$T/last"
check "port filter: file valid" [ "$(kv valid "$s")" = 1 ]
check "port filter: only matching packets" [ "$(kv nomatch "$s")" = 0 ]
check "port filter: all 10 connections captured" [ "$(kv syn "$s")" = 10 ]
api POST /packetCaptures/f1/queryStatus
check "status counts the written packets" [ "$(jget packetsCaptured)" = "$(kv packets "$s")" ]
if [ -n "$TSHARK" ]; then
    n_all=$(tshark -r "$T/f1.pcap" 2>"$T/last" | wc -l)
    n_other=$(tshark -r "$T/f1.pcap" -Y "not (tcp.port == $SRVPORT and ip.addr == $IPB)" 2>/dev/null | wc -l)
    check "tshark reads the same packets, none outside the filter" \
        [ "$n_all" = "$(kv packets "$s")" -a "$n_other" = 0 ]
else
    echo "SKIP $T_NAME: tshark cross-check (tshark not installed)"
fi
if [ -n "$CLI" ] && "$CLI" info "$T/f1.pcap" >/dev/null 2>&1; then
    ok "pktwatch info reads the capture"
else
    echo "SKIP $T_NAME: pktwatch info (not in this build)"
fi

if [ -n "$PW" ]; then
    check "analysis of a finished capture equals the CLI's JSON of its download" analysis_matches f1 "$T/f1.pcap"
    a=$T/an-f1.json; jq -c '{complete, damage, warnings, files: (.files | length), rtt: (.rtt.connections | length)}' "$a" > "$T/last"
    check "analysis: complete, no damage, one file, the 10 handshakes" \
        jqt '.complete == true and .damage == null and .warnings == [] and (.files | length) == 1
               and .packetCaptureStatus == "Stopped" and (.rtt.connections | length) == 10' "$a"
    if [ -n "$CLI" ]; then
        cli analyze --name f1 > "$T/cli-an.json" 2>"$T/last"
        check "cli capture analyze prints the same analysis" jqt --slurpfile a "$a" '. == $a[0]' "$T/cli-an.json"
    fi
else
    echo "SKIP $T_NAME: analysis checks (needs $B/pktwatch and jq)"
fi

# ---- 2. bytesToCapturePerPacket truncates every packet -------------------------------------
api PUT /packetCaptures/snap '{"properties":{"target":"'$VA'","bytesToCapturePerPacket":60,
  "filters":[{"protocol":"TCP","remotePort":"'$SRVPORT'"}]}}'
check "create with bytesToCapturePerPacket" [ "$CODE" = 201 ]
http_conns 3 400
api POST /packetCaptures/snap/stop; wait_stopped snap
download snap "$T/snap.pcap"
s=$(pcapstat "$T/snap.pcap"); echo "$s" > "$T/last"
check "snap length: no packet longer than 60 bytes" [ "$(kv maxcap "$s")" -le 60 -a "$(kv packets "$s")" -gt 0 ]
check "snap length: long packets were cut" [ "$(kv truncated "$s")" -gt 0 ]

# ---- 3. time limit and byte limit -------------------------------------------------------
api PUT /packetCaptures/tl '{"properties":{"target":"'$VA'","timeLimitInSeconds":1}}'
check "create with timeLimitInSeconds" [ "$CODE" = 201 ]
api PUT /packetCaptures/bl '{"properties":{"target":"'$VA'","totalBytesPerSession":3000,
  "filters":[{"protocol":"TCP","remotePort":"'$SRVPORT'"}]}}'
check "create with totalBytesPerSession" [ "$CODE" = 201 ]
http_conns 15 200
sleep 1.2
wait_stopped tl 30
api POST /packetCaptures/tl/queryStatus
check "time limit stops with TimeExceeded" grep -q '"packetCaptureStatus":"Stopped","stopReason":"TimeExceeded"' "$T/last"
wait_stopped bl 30
api POST /packetCaptures/bl/queryStatus
check "byte limit stops with TotalBytesExceeded" grep -q '"stopReason":"TotalBytesExceeded"' "$T/last"
bl_bytes=$(jget bytesCaptured)
download bl "$T/bl.pcap"
s=$(pcapstat "$T/bl.pcap"); echo "$s bytesCaptured=$bl_bytes" > "$T/last"
check "byte limit: never more than 3000 packet bytes, and close to it" \
    [ "$(kv bytes "$s")" -le 3000 -a "$(kv bytes "$s")" -gt 1500 -a "$(kv bytes "$s")" = "$bl_bytes" ]

# ---- 4. ring buffer keeps exactly fileCount files ---------------------------------------
api PUT /packetCaptures/ring '{"properties":{"target":"'$VA'","continuousCapture":true,
  "storageLocation":{"localPath":"ring/r.cap"},
  "captureSettings":{"fileCount":3,"fileSizeInBytes":1500,"sessionTimeLimitInSeconds":60}}}'
check "create a ring buffer session" [ "$CODE" = 201 ]
http_conns 12 300
sleep 0.3
api POST /packetCaptures/ring/stop; wait_stopped ring
api POST /packetCaptures/ring/queryStatus; cp "$T/last" "$T/ring.json"
nfiles=$(ls "$CROOT/ring" | grep -c '^r_[0-9]*\.cap$')
written=$(jget filesWritten "$T/ring.json")
echo "on disk: $nfiles, written: $written" > "$T/last"
check "ring buffer: exactly fileCount (3) files on disk after rotating" [ "$nfiles" = 3 -a "$written" -gt 3 ]
s=$(pcapstat "$CROOT"/ring/r_*.cap); echo "$s" > "$T/last"
check "ring buffer: every kept file is valid" [ "$(kv valid "$s")" = 1 ]
big=0; for f in "$CROOT"/ring/r_*.cap; do [ "$(stat -c %s "$f")" -gt 1500 ] && big=1; done
check "ring buffer: no file above fileSizeInBytes" [ $big = 0 ]
if [ -n "$PW" ]; then
    download ring "$T/ring.pcap"
    check "analysis of a ring: one pass over its files, equal to the CLI's JSON of the joined download" \
        analysis_matches ring "$T/ring.pcap"
    check "analysis of a ring lists its 3 files" jqt '(.files | length) == 3' "$T/an-ring.json"
    # a file cut short by hand: the analysis covers the records before the cut and says so
    cp "$CROOT/bl.cap" "$T/bl.orig"
    truncate -s -7 "$CROOT/bl.cap"
    download bl "$T/blcut.pcap"
    check "analysis of a cut-short file: 200, the CLI's figures, damage CutShort" \
        analysis_matches bl "$T/blcut.pcap"
    jq -c '{damage, warnings}' "$T/an-bl.json" > "$T/last"
    check "analysis of a cut-short file: damage and a warning" \
        jqt '.damage.code == "CutShort" and (.warnings | length) == 1' "$T/an-bl.json"
    cp "$T/bl.orig" "$CROOT/bl.cap"
fi

# ---- 5. download while running -----------------------------------------------------------
api PUT /packetCaptures/live '{"properties":{"target":"'$VA'"}}'
check "create a session to read while running" [ "$CODE" = 201 ]
http_conns 3; udp_burst 10
sleep 1.3   # at least one flush
download live "$T/live1.pcap"
s1=$(pcapstat "$T/live1.pcap"); echo "$s1" > "$T/last"
check "download while running: valid pcap with packets" [ "$(kv valid "$s1")" = 1 -a "$(kv packets "$s1")" -gt 0 ]
check "download while running: session still Running" [ "$(status_of live)" = Running ]
http_conns 3
sleep 1.3
download live "$T/live2.pcap"
s2=$(pcapstat "$T/live2.pcap"); echo "$s1 / $s2" > "$T/last"
check "download while running: later download has more" [ "$(kv valid "$s2")" = 1 -a "$(kv packets "$s2")" -gt "$(kv packets "$s1")" ]
if [ -n "$TSHARK" ]; then
    check "tshark reads the file of a running session" tshark -r "$T/live2.pcap" -c 1000000 >/dev/null 2>"$T/last"
fi
# while running, the file on disk itself is always whole records
s=$(pcapstat "$CROOT/live.cap"); echo "$s" > "$T/last"
check "file on disk is valid while running" [ "$(kv valid "$s")" = 1 ]
if [ -n "$PW" ]; then
    api GET /packetCaptures/live/analysis; cp "$T/last" "$T/an-live.json"
    live_analysis_ok() {
        [ "$CODE" = 200 ] && jq -e '.complete == false and .packetCaptureStatus == "Running"
            and .packets > 0 and (.warnings[0] | test("still running"))' "$T/an-live.json" >/dev/null
    }
    check "analysis while running: 200, incomplete, with packets and a warning saying so" live_analysis_ok
fi

# ---- 6. kill -9: no session lost, files readable ---------------------------------------------
http_conns 3
sleep 1.3
kill -9 "$DPID"; wait "$DPID" 2>/dev/null; DPID=""
s=$(pcapstat "$CROOT/live.cap"); echo "$s" > "$T/last"
check "after kill -9 the running session's file is valid" [ "$(kv valid "$s")" = 1 -a "$(kv packets "$s")" -gt 0 ]
start_daemon || ko "daemon restarts after kill -9"
api POST /packetCaptures/live/queryStatus
check "after restart the session is Stopped with AgentRestart" grep -q '"packetCaptureStatus":"Stopped","stopReason":"AgentRestart"' "$T/last"
api GET /packetCaptures
n=$(grep -o '"name":"[^"]*"' "$T/last" | sort -u | wc -l)
echo "$n sessions listed" >> "$T/last"
check "after restart no session is lost (6 listed)" [ "$n" = 6 ]
download live "$T/live3.pcap"
s=$(pcapstat "$T/live3.pcap"); echo "$s" > "$T/last"
check "after restart the file downloads and reads" [ "$(kv valid "$s")" = 1 -a "$(kv packets "$s")" -gt 0 ]

# ---- 7. authentication ---------------------------------------------------------------------
c=$(inA curl -s -o "$T/last" -w '%{http_code}' "$U/packetCaptures")
check "401 without a token" [ "$c" = 401 ]
c=$(inA curl -s -o "$T/last" -w '%{http_code}' -H "Authorization: Bearer x$TOKEN" "$U/packetCaptures")
check "401 with a wrong token" [ "$c" = 401 ]
c=$(inA curl -s -o "$T/last" -w '%{http_code}' -X PUT -H "Authorization: Bearer ${TOKEN%?}" \
    --data-binary '{"properties":{"target":"'$VA'"}}' "$U/packetCaptures/nope")
check "401 for a token prefix, and nothing created" [ "$c" = 401 ]

# ---- 8. bad requests -------------------------------------------------------------------------
bad() { # NAME EXPECTED-CODE EXPECTED-TEXT BODY
    api PUT "/packetCaptures/bad" "$4"
    if [ "$CODE" = "$2" ] && grep -q -- "$3" "$T/last"; then ok "$1"; else ko "$1" "got $CODE $(cat "$T/last")"; fi
}
bad "400 malformed JSON" 400 "not valid JSON" '{"properties":{"target":'
bad "400 unknown field, named" 400 "unknown field 'properties.fooBar'" '{"properties":{"target":"'$VA'","fooBar":1}}'
bad "400 wrong type, named" 400 "properties.timeLimitInSeconds must be an integer" '{"properties":{"target":"'$VA'","timeLimitInSeconds":"60"}}'
bad "400 out of range, named" 400 "properties.timeLimitInSeconds must be between 0 and 18000" '{"properties":{"target":"'$VA'","timeLimitInSeconds":18001}}'
bad "400 bad port range, named" 400 "properties.filters\[0\].localPort: '90-80' is not a valid range" '{"properties":{"target":"'$VA'","filters":[{"localPort":"90-80"}]}}'
bad "400 bad address, named" 400 "properties.filters\[0\].remoteIPAddress" '{"properties":{"target":"'$VA'","filters":[{"remoteIPAddress":"1.1.1.1-255.255.255"}]}}'
bad "400 bad bpfFilter" 400 "properties.bpfFilter" '{"properties":{"target":"'$VA'","bpfFilter":"tcp port"}}'
bad "400 absolute path outside the root" 400 "outside the capture root" '{"properties":{"target":"'$VA'","storageLocation":{"filePath":"/etc/x.cap"}}}'
bad "400 .. in path" 400 "'..' is not allowed" '{"properties":{"target":"'$VA'","storageLocation":{"filePath":"a/../../x.cap"}}}'
mkdir -p "$T/outside"; ln -s "$T/outside" "$CROOT/escape"
bad "400 symlink out of the root" 400 "symlink" '{"properties":{"target":"'$VA'","storageLocation":{"filePath":"escape/x.cap"}}}'
check "nothing was written through the symlink" [ -z "$(ls -A "$T/outside")" ]
bad "400 unknown interface" 400 "properties.target" '{"properties":{"target":"nosuch0"}}'
bad "400 filePath with continuousCapture" 400 "localPath" '{"properties":{"target":"'$VA'","continuousCapture":true,"storageLocation":{"filePath":"x.cap"}}}'
bad "400 storageId is refused with a reason" 400 "local files only" '{"properties":{"target":"'$VA'","storageLocation":{"storageId":"/subscriptions/x"}}}'
bad "400 missing target" 400 "properties.target is required" '{"properties":{}}'
api PUT "/packetCaptures/bad%20name" '{"properties":{"target":"'$VA'"}}'
check "400 bad session name" [ "$CODE" = 400 ]
c=$(head -c 70000 /dev/zero | tr '\0' ' ' | inA curl -s -o "$T/last" -w '%{http_code}' -X PUT \
    -H "Authorization: Bearer $TOKEN" --data-binary @- "$U/packetCaptures/big")
check "413 for a body above the cap" [ "$c" = 413 ]
api GET /packetCaptures/bad
check "no session was created by the bad requests (404)" [ "$CODE" = 404 ]
api GET /packetCaptures/nosuch
check "404 for an unknown session" [ "$CODE" = 404 ]
api POST /packetCaptures/nosuch/stop
check "404 stopping an unknown session" [ "$CODE" = 404 ]
api PUT /packetCaptures/f1 '{"properties":{"target":"'$VA'","storageLocation":{"filePath":"other.cap"}}}'
check "409 for an existing name" [ "$CODE" = 409 ]
api PUT /packetCaptures/f1b '{"properties":{"target":"'$VA'","storageLocation":{"filePath":"port/f1.cap"}}}'
check "409 for an existing file" [ "$CODE" = 409 ]
api PATCH /packetCaptures/f1
check "405 for a method the resource lacks" [ "$CODE" = 405 ]
api POST /packetCaptures/f1/stop
check "stop of a stopped session is 200" [ "$CODE" = 200 ]

# ---- 9. max sessions ---------------------------------------------------------------------------
for i in 1 2 3 4 5 6; do api PUT "/packetCaptures/m$i" '{"properties":{"target":"'$VA'"}}'; done
check "sessions up to --max-sessions start" [ "$CODE" = 201 ]
api PUT /packetCaptures/m7 '{"properties":{"target":"'$VA'"}}'
check "409 beyond --max-sessions" sh -c "[ \"$CODE\" = 409 ] && grep -q max-sessions \"$T/last\""
for i in 1 2 3 4 5 6; do api DELETE "/packetCaptures/m$i?deleteFiles=true"; done
check "delete with deleteFiles removes the files (204)" [ "$CODE" = 204 -a ! -e "$CROOT/m6.cap" ]
api DELETE /packetCaptures/snap
check "delete without deleteFiles keeps the file" [ "$CODE" = 204 -a -e "$CROOT/snap.cap" ]
if [ -n "$CLI" ]; then
    cli delete --name f1 --delete-files >"$T/last" 2>&1
    check "cli delete --delete-files" [ ! -e "$CROOT/port/f1.cap" ]
    cli show --name f1 >"$T/last" 2>&1; rc=$?
    check "cli show of a deleted session fails with exit 1 and the agent's message" \
        [ $rc = 1 ] && grep -q "404 NotFound" "$T/last"
    cli create --name x --target "$VA" --time-limit abc >"$T/last" 2>&1; rc=$?
    check "cli rejects a bad number with exit 2" [ $rc = 2 ]
else
    echo "SKIP $T_NAME: CLI checks ($B/pktwatch capture not available)"
fi
api GET /packetCaptures/f1/analysis
code_is() { [ "$CODE" = "$1" ] && grep -q "\"code\":\"$2\"" "$T/last"; } # STATUS ERROR-CODE
check "404 NotFound for the analysis of a deleted session" code_is 404 NotFound
api GET /packetCaptures/nosuch/analysis
check "404 for the analysis of an unknown session" [ "$CODE" = 404 ]
mv "$CROOT/tl.cap" "$T/tl.moved"
api GET /packetCaptures/tl/analysis
check "404 NoCaptureFile for the analysis of a session whose file was removed" code_is 404 NoCaptureFile
mv "$T/tl.moved" "$CROOT/tl.cap"
api POST /packetCaptures/tl/analysis
check "405 for POST .../analysis" [ "$CODE" = 405 ]
api GET "/packetCaptures/tl/analysis?x=1"
check "400 for an unknown query parameter on .../analysis" [ "$CODE" = 400 ]

# ---- 10a. an interface that disappears ends its session with an error --------------------------
XA=pwxa$((ID % 100000)) XB=pwxb$((ID % 100000))
inA ip link add "$XA" type veth peer name "$XB" && inA ip link set "$XA" up && inA ip link set "$XB" up
api PUT /packetCaptures/gone '{"properties":{"target":"'$XA'"}}'
check "capture on a second interface starts" [ "$CODE" = 201 ]
inA ip link del "$XA"
for _ in $(seq 30); do [ "$(status_of gone)" = Error ] && break; sleep 0.1; done
api POST /packetCaptures/gone/queryStatus
check "a vanished interface gives Error / CaptureFailed with a message" \
    grep -q '"packetCaptureStatus":"Error","stopReason":"Error","packetCaptureError":\["CaptureFailed"\],"errorMessage":"capture failed' "$T/last"

# ---- 10. a burst of 1,000 bad requests -----------------------------------------------------------
{
    for i in $(seq 250); do echo "url = \"$U/packetCaptures/b$i\""; done
} > "$T/k_unauth"
{
    for i in $(seq 250); do
        echo "url = \"$U/packetCaptures/burst$i\""
        echo 'header = "Content-Type: application/json"'
        echo "data = \"{\\\"properties\\\":{\\\"target\\\":$i,\\\"x\\\":[[[[\""
    done
} > "$T/k_badjson"
{
    for i in $(seq 250); do echo "url = \"$U/no/such/path/$i?%zz=\""; done
} > "$T/k_paths"
codes=$(
    inA curl -s -K "$T/k_unauth" -o /dev/null -w '%{http_code}\n'
    inA curl -s -X PUT -H "Authorization: Bearer $TOKEN" -K "$T/k_badjson" -o /dev/null -w '%{http_code}\n'
    inA curl -s -X DELETE -H "Authorization: Bearer $TOKEN" -K "$T/k_paths" -o /dev/null -w '%{http_code}\n'
)
# 250 requests that are not HTTP at all, each on its own connection.
garbage=$(inA bash -c '
    n=0
    for i in $(seq 250); do
        exec 3<>/dev/tcp/127.0.0.1/'$PORT' || continue
        printf "GARBAGE %d \x01\x02\r\n\r\n" $i >&3
        read -r -t 5 -u 3 line && n=$((n + 1))
        exec 3>&-
    done
    echo $n' 2>/dev/null)
n_bad=$(grep -c '^4[0-9][0-9]$' <<<"$codes")
echo "4xx answers: $n_bad of 750 curl requests, $garbage raw garbage requests" > "$T/last"
check "1,000 bad requests are all refused with 4xx" [ "$n_bad" = 750 -a "$garbage" = 250 ]
check "the daemon survives the burst" kill -0 "$DPID"
api GET /packetCaptures
check "and still serves (200)" [ "$CODE" = 200 ]
api PUT /packetCaptures/after '{"properties":{"target":"'$VA'","timeLimitInSeconds":1}}'
check "and still captures" [ "$CODE" = 201 ]

# ---- 11. clean shutdown ----------------------------------------------------------------------------
kill -TERM "$DPID"; wait "$DPID"; rc=$?; DPID=""
check "SIGTERM: exit status 0" [ $rc = 0 ]
if grep -q 'AddressSanitizer\|runtime error\|LeakSanitizer' "$T/daemon.log"; then
    ko "no sanitizer report in the daemon log" "$(grep -m3 'Sanitizer\|runtime error' "$T/daemon.log")"
else
    ok "no sanitizer report in the daemon log"
fi
[ $fail = 0 ] || { echo "---- daemon log (tail)"; tail -30 "$T/daemon.log"; }
exit 0
