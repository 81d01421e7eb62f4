#!/usr/bin/env bash
# The benchmark in one command: builds Release, starts the local servers (scripts/servers.sh), then runs
# bench/OrderSystem.Bench, which migrates its own database, starts the product host for each run with that run's
# simulation costs, drives it, and writes bench/results/<timestamp>/report.md and latency.svg.
#
#   bench/run.sh                                   the full run: all scenarios, article costs (a few minutes)
#   bench/run.sh --scenarios outbox --orders 5000  one scenario, fewer payments
#   bench/run.sh --help                            every option
#
# Servers come from appsettings.json and the usual environment overrides (ConnectionStrings__OrderSystem,
# RabbitMq__Port, RabbitMq__ManagementUrl, and the ORDERSYSTEM_* ports of scripts/servers.sh).
# The simulated third parties run as their own process (scripts/simulator.sh, port ORDERSYSTEM_SIMULATOR_PORT, 5089).
# Set BENCH_NO_BUILD=1 to skip the build, BENCH_NO_SERVERS=1 to use servers (and a simulator) that are already up elsewhere.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$REPO_ROOT"
# shellcheck source=scripts/lib/host-settings.sh
source "$REPO_ROOT/scripts/lib/host-settings.sh"
export_host_settings "$REPO_ROOT"
BENCH_DLL="bench/OrderSystem.Bench/bin/Release/net10.0/OrderSystem.Bench.dll"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
[ -x "$HOME/.dotnet/dotnet" ] && export PATH="$PATH:$HOME/.dotnet"

log() { printf '[bench] %s\n' "$*" >&2; }

for arg in "$@"; do
    if [ "$arg" = "--help" ] || [ "$arg" = "-h" ]; then
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
        [ -f "$BENCH_DLL" ] && dotnet "$BENCH_DLL" --help
        exit 0
    fi
done

if [ -z "${BENCH_NO_SERVERS:-}" ]; then
    "$REPO_ROOT/scripts/servers.sh" start >&2
fi
if [ -z "${BENCH_NO_BUILD:-}" ]; then
    log "building the host and the benchmark (Release)"
    dotnet build bench/OrderSystem.Bench/OrderSystem.Bench.csproj -c Release -nologo -v q >&2
    dotnet build ThirdParties/OrderSystem.ThirdParties.Simulator/OrderSystem.ThirdParties.Simulator.csproj -c Release -nologo -v q >&2
fi
# After the build, which would otherwise rewrite the dll of a simulator it had just started.
if [ -z "${BENCH_NO_SERVERS:-}" ]; then
    "$REPO_ROOT/scripts/simulator.sh" start >&2
fi
log "load before the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)"
exec dotnet "$BENCH_DLL" "$@"
