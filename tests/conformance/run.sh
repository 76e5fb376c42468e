#!/usr/bin/env bash
# Conformance over a directory of captures (normally ../shared/captures):
# runs every conformance check whose script exists and reports each.
# Exit status is non-zero if any check fails.
set -u
DIR=${1:?usage: tests/conformance/run.sh CAPTURE_DIR}
cd "$(dirname "$0")/../.."
rc=0
for check in info_counts; do
    s=tests/conformance/$check.sh
    [ -f "$s" ] || continue
    echo "== conformance: $check"
    bash "$s" "$DIR" || rc=1
done
exit $rc
