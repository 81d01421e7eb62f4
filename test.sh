#!/usr/bin/env bash
# Build and test OrderSystem against local MariaDB/RabbitMQ/Redis (scripts/servers.sh).
#
#   ./test.sh [--fast] [extra dotnet test args]    e.g. ./test.sh --filter "FullyQualifiedName~Orders"
#
#   --fast   leave out the tests marked [Category("Slow")] (host processes, the RabbitMQ cluster, the benchmark
#            smoke, long MariaDB/RabbitMQ outages): passes --filter "TestCategory!=Slow" to dotnet test, joined
#            with & to any --filter given as well (./test.sh --fast --filter "FullyQualifiedName~Faults" runs the
#            Faults tests that are not Slow). Without --fast everything runs, as .ci/run does.
#
# The simulated third parties (scripts/simulator.sh) run on ORDERSYSTEM_SIMULATOR_PORT, else on the port of
# ORDERSYSTEM_SIMULATOR_URL when that is a local address, else on 5089; the tests are given the same address.
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

# --fast: fold "not Slow" into the caller's --filter (dotnet test takes one filter). Arguments after "--" are
# run settings and go through untouched.
SLOW_FILTER="TestCategory!=Slow"
fast=0
for arg in "$@"; do
    [ "$arg" = "--" ] && break
    [ "$arg" = "--fast" ] && fast=1
done
test_args=("$@")
if [ "$fast" -eq 1 ]; then
    test_args=()
    filter=""
    while [ $# -gt 0 ]; do
        case "$1" in
            --) test_args+=("$@"); break ;;
            --fast) ;;
            --filter) [ $# -ge 2 ] || die "--filter needs an expression"; filter="${filter:+$filter&}($2)"; shift ;;
            --filter=*) filter="${filter:+$filter&}(${1#--filter=})" ;;
            *) test_args+=("$1") ;;
        esac
        shift
    done
    filter="${filter:+$filter&}$SLOW_FILTER"
    test_args=(--filter "$filter" "${test_args[@]}")
fi

# Never report results of an earlier run.
mkdir -p "$RESULTS_DIR"
rm -f "$TRX"

started=$(date +%s)
"$REPO_ROOT/scripts/servers.sh" start
"$REPO_ROOT/scripts/chromium.sh"   # the operator console's tests drive Debian's chromium (Operations/ConsoleTests)

if [ -f OrderSystem.sln ]; then SLN=OrderSystem.sln
elif [ -f OrderSystem.slnx ]; then SLN=OrderSystem.slnx
else die "OrderSystem.sln not found in $REPO_ROOT"
fi
log "building $SLN (Release)"
dotnet build "$SLN" -c Release -nologo -v q || die "build failed"

# One address for the script that starts the simulator and the tests that call it.
if [ -z "${ORDERSYSTEM_SIMULATOR_PORT:-}" ] &&
   [[ "${ORDERSYSTEM_SIMULATOR_URL:-}" =~ ^http://(127\.0\.0\.1|localhost):([0-9]+)/?$ ]]; then
    export ORDERSYSTEM_SIMULATOR_PORT="${BASH_REMATCH[2]}"
fi
export ORDERSYSTEM_SIMULATOR_URL="${ORDERSYSTEM_SIMULATOR_URL:-http://127.0.0.1:${ORDERSYSTEM_SIMULATOR_PORT:-5089}}"
export ThirdParties__BaseUrl="${ThirdParties__BaseUrl:-$ORDERSYSTEM_SIMULATOR_URL}"
# shellcheck source=scripts/lib/host-settings.sh
source "$REPO_ROOT/scripts/lib/host-settings.sh"
export_host_settings "$REPO_ROOT"
"$REPO_ROOT/scripts/simulator.sh" start

log "applying database migrations"
dotnet "$MIGRATIONS_DLL" || die "migrations failed"

if [ "$fast" -eq 1 ]; then log "running tests (--fast: --filter \"$filter\")"; else log "running tests"; fi
set +e
dotnet test "$TEST_PROJECT" -c Release --no-build \
    --logger "trx;LogFileName=results.trx" --results-directory "$RESULTS_DIR" "${test_args[@]}"
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
    # The names of failed tests and the start of their messages, so a CI log's tail says what broke.
    awk '/<UnitTestResult / && /outcome="Failed"/ { match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11); want = 1 }
         want && /<Message>/ { sub(/.*<Message>/, ""); printf "  FAILED %s: %s\n", name, substr($0, 1, 300); want = 0 }' "$TRX"
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
