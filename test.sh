#!/usr/bin/env bash
# Build and test OrderSystem against local MariaDB/RabbitMQ (scripts/servers.sh).
#
#   ./test.sh [extra dotnet test args]    e.g. ./test.sh --filter "FullyQualifiedName~Orders"
#
# Results: .local/test-results/results.trx. Exit code = dotnet test's exit code.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
cd "$REPO_ROOT"
RESULTS_DIR=".local/test-results"
TRX="$RESULTS_DIR/results.trx"
MIGRATIONS_DLL="Migrations/bin/Release/net10.0/OrderSystem.Migrations.dll"
TEST_PROJECT="tests/OrderSystem.Tests/OrderSystem.Tests.csproj"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
[ -x "$HOME/.dotnet/dotnet" ] && export PATH="$PATH:$HOME/.dotnet"

log() { printf '[test] %s\n' "$*"; }
die() { printf '[test] ERROR: %s\n' "$*" >&2; exit 1; }

command -v dotnet >/dev/null 2>&1 || die "dotnet (.NET 10 SDK) is not on PATH"

# Never report results of an earlier run.
mkdir -p "$RESULTS_DIR"
rm -f "$TRX"

started=$(date +%s)
"$REPO_ROOT/scripts/servers.sh" start

if [ -f OrderSystem.sln ]; then SLN=OrderSystem.sln
elif [ -f OrderSystem.slnx ]; then SLN=OrderSystem.slnx
else die "OrderSystem.sln not found in $REPO_ROOT"
fi
log "building $SLN (Release)"
dotnet build "$SLN" -c Release -nologo -v q || die "build failed"

log "applying database migrations"
dotnet "$MIGRATIONS_DLL" || die "migrations failed"

log "running tests"
set +e
dotnet test "$TEST_PROJECT" -c Release --no-build \
    --logger "trx;LogFileName=results.trx" --results-directory "$RESULTS_DIR" "$@"
rc=$?
set -e

# Summary from the trx <Counters .../> element.
attr() { sed -n "s/.*[[:space:]]$1=\"\([0-9]*\)\".*/\1/p" <<<"$counters" | head -n 1; }
echo
echo "================================ test summary ================================"
if [ -f "$TRX" ] && counters="$(grep -o '<Counters [^>]*>' "$TRX" | head -n 1)" && [ -n "$counters" ]; then
    printf '  total %s, executed %s, passed %s, failed %s, errors %s, timeouts %s, not executed %s\n' \
        "$(attr total)" "$(attr executed)" "$(attr passed)" "$(attr failed)" \
        "$(attr error)" "$(attr timeout)" "$(attr notExecuted)"
    echo "  results: $REPO_ROOT/$TRX"
else
    echo "  no test results file ($TRX) was produced"
fi
if [ "$rc" -eq 0 ]; then
    echo "  RESULT: PASSED  (in $(( $(date +%s) - started ))s)"
else
    echo "  RESULT: FAILED  (dotnet test exit code $rc, in $(( $(date +%s) - started ))s)"
fi
echo "=============================================================================="
exit "$rc"
