#!/usr/bin/env bash
# The simulated third parties (SMS gateway, logistics, payments): one HTTP service of their own,
# ThirdParties/OrderSystem.ThirdParties.Simulator, run in the background. Its faults change at run time through
# PUT /control/{sms|logistics|payments} (docs/reliability.md#the-simulated-third-parties).
#
# Usage: scripts/simulator.sh [command]
#   start    (default) build it (Release) if its dll is missing, start it, wait up to 30 s for /health;
#            a simulator that already answers on the port is reused, unless this checkout started it from
#            an older build of its dll (then it is restarted)
#   stop     stop the one this script started (TERM, then KILL after 10 s)
#   status   say whether it answers (exit 1 if not)
#
# Environment (defaults):
#   ORDERSYSTEM_SIMULATOR_PORT=5089   its HTTP port (bound to 127.0.0.1)
#   Parties__Sms__DelayMs etc.        its startup settings (its own appsettings.json has the defaults)
#   RetainedCallsPerParty=20000       how many of each party's latest calls it remembers (ledger, keys, waybills)
#
# State: pid in .local/simulator.pid, log in .local/simulator.log (for another port than 5089:
# .local/simulator-<port>.pid and .log, so two instances never share them).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"
LOCAL_DIR="$REPO_ROOT/.local"

PORT="${ORDERSYSTEM_SIMULATOR_PORT:-5089}"
URL="http://127.0.0.1:$PORT"
PROJECT="$REPO_ROOT/ThirdParties/OrderSystem.ThirdParties.Simulator/OrderSystem.ThirdParties.Simulator.csproj"
DLL="$REPO_ROOT/ThirdParties/OrderSystem.ThirdParties.Simulator/bin/Release/net10.0/OrderSystem.ThirdParties.Simulator.dll"
if [ "$PORT" = 5089 ]; then
    PID_FILE="$LOCAL_DIR/simulator.pid" LOG_FILE="$LOCAL_DIR/simulator.log"
else
    PID_FILE="$LOCAL_DIR/simulator-$PORT.pid" LOG_FILE="$LOCAL_DIR/simulator-$PORT.log"
fi
LOCK="$LOCAL_DIR/simulator-$PORT.lock"
TIMEOUT=30

LOG_TAG=simulator
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
[ -x "$HOME/.dotnet/dotnet" ] && export PATH="$PATH:$HOME/.dotnet"

# True when our simulator (not just anything) answers /health on the port.
answers() {
    curl -s --max-time 2 "$URL/health" 2>/dev/null | grep -q '"service":"OrderSystem.ThirdParties.Simulator"'
}

start() {
    if answers; then
        # One this checkout started from an older build would refuse settings that the tests of the new one use.
        if pid_alive "$PID_FILE" && [ "$DLL" -nt "$PID_FILE" ]; then
            log "the simulator was rebuilt since it started: restarting it"
            stop
        else
            log "simulator already running on $URL"
            return 0
        fi
    fi
    kill_unanswering "$PID_FILE" simulator
    require_free_port "$PORT" "the simulator; set ORDERSYSTEM_SIMULATOR_PORT"
    if [ ! -f "$DLL" ]; then
        log "building the simulator (Release)"
        dotnet build "$PROJECT" -c Release -nologo -v q >&2 || die "the simulator did not build"
    fi
    mkdir -p "$LOCAL_DIR"
    log "starting the simulator on $URL (log: $LOG_FILE)"
    (
        exec 9>&-
        exec setsid nohup dotnet "$DLL" --urls "$URL" </dev/null >>"$LOG_FILE" 2>&1
    ) &
    local pid=$! deadline=$(( $(now) + TIMEOUT ))
    echo "$pid" >"$PID_FILE"
    until answers; do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$PID_FILE"
            tail -n 30 "$LOG_FILE" >&2 || true
            die "the simulator exited during startup (see $LOG_FILE)"
        fi
        if [ "$(now)" -ge "$deadline" ]; then
            tail -n 30 "$LOG_FILE" >&2 || true
            die "the simulator did not answer $URL/health within ${TIMEOUT}s (see $LOG_FILE)"
        fi
        sleep 0.2
    done
    log "simulator is up (pid $pid): $URL  (PUT /control/{sms|logistics|payments})"
}

stop() {
    if pid_alive "$PID_FILE"; then
        log "stopping the simulator (pid $(pid_of "$PID_FILE"))"
        kill -TERM "$(pid_of "$PID_FILE")" 2>/dev/null || true
        wait_exit "$PID_FILE" 10 simulator
    elif answers; then
        warn "a simulator answers on $URL but was not started from this checkout ($PID_FILE); left running"
    fi
    rm -f "$PID_FILE"
    log "simulator stopped"
}

status() {
    if answers; then
        log "simulator: UP    $URL (pid $(pid_of "$PID_FILE"))"
        return 0
    fi
    log "simulator: DOWN  $URL"
    return 1
}

cmd="${1:-start}"
case "$cmd" in
    start)  take_lock "$LOCK"; start ;;
    stop)   take_lock "$LOCK"; stop ;;
    status) status ;;
    -h|--help|help) usage ;;
    *) die "unknown command '$cmd' (start|stop|status)" ;;
esac
