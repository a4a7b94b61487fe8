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
# When the database cannot be reached (machines that reach only the
# package registries), the scan is SKIPPED with a notice and the script
# succeeds, unless VULNCHECK_REQUIRED=1.
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
  rc=0
  (cd "$fixture/app" && "$bin" -db "file://$fixture/db" ./... >/tmp/vulncheck-self-test.$$ 2>&1) || rc=$?
  if [ "$rc" -ne 3 ] || ! grep -q 'GO-0000-0001' /tmp/vulncheck-self-test.$$; then
    cat /tmp/vulncheck-self-test.$$; rm -f /tmp/vulncheck-self-test.$$
    echo "vulncheck self-test: FAILED (govulncheck exit $rc, want 3 naming GO-0000-0001)"
    exit 1
  fi
  rm -f /tmp/vulncheck-self-test.$$
  echo "vulncheck self-test: ok (a reachable vulnerability from a file:// database fails the scan)"
  exit 0
fi

db=${GOVULNDB:-https://vuln.go.dev}
reachable=false
case "$db" in
  file://*) [ -f "${db#file://}/index/db.json" ] && reachable=true ;;
  *) curl -fsS -m 10 -o /dev/null "$db/index/db.json" 2>/dev/null && reachable=true ;;
esac
if ! $reachable; then
  echo "vulncheck: SKIPPED: the Go vulnerability database is not reachable at $db"
  echo "           (set GOVULNDB=file:///path/to/a/copy, or run where vuln.go.dev answers;"
  echo "            VULNCHECK_REQUIRED=1 makes this an error)"
  [ "${VULNCHECK_REQUIRED:-}" = 1 ] && exit 1
  exit 0
fi
echo "vulncheck: govulncheck $(sed -n 's/^\tgolang.org\/x\/vuln \(v[^ ]*\).*/\1/p' "$mod/go.mod") against $db"
"$bin" -db "$db" ./functions/... ./internal/... ./scripts/...
