#!/usr/bin/env bash
# docs/openapi.json must describe exactly what pktwatchd serves and accepts:
# `pktwatchd --check-openapi` compares it with the agent's route table, its
# request field table and documents produced by its response code. A second
# run on a deliberately altered copy shows the check notices drift.
# usage: tests/e2e/openapi.sh BUILD_DIR     prints PASS/FAIL/SKIP lines
set -u
B=${1:?usage: tests/e2e/openapi.sh BUILD_DIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=$B/pktwatchd
[ -x "$D" ] || { echo "SKIP openapi: $D not built"; exit 0; }
T=$(mktemp -d /tmp/pwopenapi.XXXXXX)
trap 'rm -rf "$T"' EXIT

if "$D" --check-openapi "$ROOT/docs/openapi.json" >"$T/out" 2>&1; then
    echo "PASS openapi: docs/openapi.json matches the agent"
else
    echo "FAIL openapi: docs/openapi.json differs from the agent"; sed 's/^/    /' "$T/out"
fi

# Drift of each kind must be caught: a field renamed, a default changed, a
# route removed.
drift() { # NAME SED-EXPRESSION
    sed "$2" "$ROOT/docs/openapi.json" > "$T/mut.json"
    if cmp -s "$T/mut.json" "$ROOT/docs/openapi.json"; then
        echo "FAIL openapi: drift check '$1' did not alter the document"
    elif "$D" --check-openapi "$T/mut.json" >"$T/out" 2>&1; then
        echo "FAIL openapi: drift '$1' went unnoticed"
    else
        echo "PASS openapi: drift '$1' is noticed"
    fi
}
drift "renamed request field" 's/"bytesToCapturePerPacket"/"bytesToCapturePerPackets"/'
drift "changed default" 's/"default": 18000/"default": 17000/'
drift "removed route" 's|"/packetCaptures/{packetCaptureName}/analysis"|"/packetCaptures/{packetCaptureName}/analyses"|'
drift "undocumented status field" 's/"packetsDroppedByKernel"/"kernelDrops"/g'
drift "undocumented analysis field" 's/"bytesAnalysed"/"bytesRead"/g'
