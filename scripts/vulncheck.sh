#!/usr/bin/env bash
# scripts/vulncheck.sh: known vulnerabilities in the Go code that ships.
#
# govulncheck (golang.org/x/vuln, version pinned in tools/govulncheck/go.mod)
# reports only vulnerabilities whose vulnerable functions the code can
# reach (call graph from ./functions, ./internal, ./scripts) and exits 3 on
# one: this script then fails. The CDK app (infra/) is build-time tooling
# and left out (type-checking the CDK bindings takes about 1 GB).
#
# It needs the Go vulnerability database: GOVULNDB (default
# https://vuln.go.dev), or a copy on disk with GOVULNDB=file:///path (the
# layout of vuln.go.dev: index/db.json, index/modules.json, ID/*.json).
# When vuln.go.dev cannot be reached (machines that reach only the package
# registries), the database is built from a pinned snapshot of the
# golang.org/x/vulndb repository fetched through the module proxy
# (tools/govulncheck/builddb). Only when that fails too is the scan
# SKIPPED with a notice, and then the script succeeds unless
# VULNCHECK_REQUIRED=1.
#
#   scripts/vulncheck.sh              scan
#   scripts/vulncheck.sh --self-test  check that a reachable vulnerability
#                                     fails the scan (offline: a fixture
#                                     database and module in testdata)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=$root/.cache/bin/govulncheck
mod=$root/tools/govulncheck

if [ ! -x "$bin" ] || [ "$mod/go.mod" -nt "$bin" ]; then
  mkdir -p "$(dirname "$bin")"
  (cd "$mod" && go build -o "$bin" golang.org/x/vuln/cmd/govulncheck)
fi

if [ "${1:-}" = --self-test ]; then
  fixture=$mod/testdata
  # The fixture's report goes through builddb, as a snapshot's would.
  built=$(mktemp -d)
  trap 'rm -rf "$built"' EXIT
  (cd "$mod" && go run ./builddb -src "$fixture/db/ID" -out "$built/db" -modified 2026-01-01T00:00:00Z) >/dev/null
  rc=0
  (cd "$fixture/app" && "$bin" -db "file://$built/db" ./... >/tmp/vulncheck-self-test.$$ 2>&1) || rc=$?
  if [ "$rc" -ne 3 ] || ! grep -q 'GO-0000-0001' /tmp/vulncheck-self-test.$$; then
    cat /tmp/vulncheck-self-test.$$; rm -f /tmp/vulncheck-self-test.$$
    echo "vulncheck self-test: FAILED (govulncheck exit $rc, want 3 naming GO-0000-0001)"
    exit 1
  fi
  rm -f /tmp/vulncheck-self-test.$$
  echo "vulncheck self-test: ok (a reachable vulnerability from a file:// database fails the scan; the database built by builddb)"
  exit 0
fi

# snapshot_db: the database built from a pinned snapshot of the
# golang.org/x/vulndb repository, which the Go module proxy serves (and the
# checksum database verifies) where vuln.go.dev is unreachable. Bump the
# pin (and its h1: sum, printed by `go mod download -json`) to pick up new
# reports: the scan is as fresh as the snapshot, which it prints.
snapshot=v0.0.0-20261105234957-e22db6528018
snapshot_sum=h1:mfngRv0Yoh0VApsXKEN82CjD99kl7mtparN3bs3JnqI=
snapshot_db() {
  local out=$root/.cache/vulndb/$snapshot json dir sum
  if [ ! -f "$out/index/db.json" ]; then
    json=$(cd "$mod" && go mod download -json "golang.org/x/vulndb@$snapshot") || return 1
    dir=$(sed -n 's/^\t"Dir": "\(.*\)",$/\1/p' <<<"$json")
    sum=$(sed -n 's/^\t"Sum": "\(.*\)",$/\1/p' <<<"$json")
    [ "$sum" = "$snapshot_sum" ] || { echo "vulncheck: golang.org/x/vulndb@$snapshot has sum $sum, want $snapshot_sum" >&2; return 1; }
    # The pseudo-version's timestamp is the snapshot's commit time.
    local ts=${snapshot#v0.0.0-}; ts=${ts%%-*}
    (cd "$mod" && go run ./builddb -src "$dir/data/osv" -out "$out" \
      -modified "${ts:0:4}-${ts:4:2}-${ts:6:2}T${ts:8:2}:${ts:10:2}:${ts:12:2}Z") >&2 || return 1
  fi
  echo "file://$out"
}

db=${GOVULNDB:-https://vuln.go.dev}
reachable=false
case "$db" in
  file://*) [ -f "${db#file://}/index/db.json" ] && reachable=true ;;
  *) curl -fsS -m 10 -o /dev/null "$db/index/db.json" 2>/dev/null && reachable=true ;;
esac
if ! $reachable && [ -z "${GOVULNDB:-}" ]; then
  echo "vulncheck: $db is not reachable; using the golang.org/x/vulndb snapshot $snapshot from the module proxy"
  db=$(snapshot_db) && reachable=true
fi
if ! $reachable; then
  echo "vulncheck: SKIPPED: the Go vulnerability database is not reachable at $db"
  echo "           (set GOVULNDB=file:///path/to/a/copy, or run where vuln.go.dev answers;"
  echo "            VULNCHECK_REQUIRED=1 makes this an error)"
  [ "${VULNCHECK_REQUIRED:-}" = 1 ] && exit 1
  exit 0
fi
echo "vulncheck: govulncheck $(sed -n 's/^\tgolang.org\/x\/vuln \(v[^ ]*\).*/\1/p' "$mod/go.mod") against $db"
"$bin" -db "$db" ./functions/... ./internal/... ./scripts/...
