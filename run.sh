#!/usr/bin/env bash
# Run OrderSystem locally: servers, build, migrations, host, demo catalog.
#
#   ./run.sh            start everything, host in the foreground (Ctrl+C stops the host)
#   ./run.sh --detach   same, but leave the host in the background and return
#                       (pid: .local/host.pid, log: .local/host.log)
#   ./run.sh stop       stop the host, the simulated third parties and the servers (MariaDB, RabbitMQ, Redis)
#
# Environment: ORDERSYSTEM_URL (default http://127.0.0.1:5080), Admin__ApiKey
# (overrides Admin:ApiKey from ./appsettings.json), plus the ORDERSYSTEM_* port
# variables of scripts/servers.sh and ORDERSYSTEM_SIMULATOR_PORT (default 5089) of scripts/simulator.sh.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
cd "$REPO_ROOT"
# shellcheck source=scripts/lib/host-settings.sh
source "$REPO_ROOT/scripts/lib/host-settings.sh"
export_host_settings "$REPO_ROOT"
LOCAL_DIR="$REPO_ROOT/.local"
HOST_PID="$LOCAL_DIR/host.pid"
HOST_LOG="$LOCAL_DIR/host.log"
URL="${ORDERSYSTEM_URL:-http://127.0.0.1:5080}"
URL="${URL%/}"
HOST_DLL="Host/bin/Release/net10.0/OrderSystem.Host.dll"
MIGRATIONS_DLL="Migrations/bin/Release/net10.0/OrderSystem.Migrations.dll"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
[ -x "$HOME/.dotnet/dotnet" ] && export PATH="$PATH:$HOME/.dotnet"

log() { printf '[run] %s\n' "$*"; }
die() { printf '[run] ERROR: %s\n' "$*" >&2; exit 1; }

host_running() {
    [ -s "$HOST_PID" ] && kill -0 "$(cat "$HOST_PID")" 2>/dev/null
}

stop_host() {
    if host_running; then
        local pid
        pid="$(cat "$HOST_PID")"
        log "stopping host (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 150); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "host did not stop in 15s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$HOST_PID"
}

solution_file() {
    if [ -f OrderSystem.sln ]; then echo OrderSystem.sln
    elif [ -f OrderSystem.slnx ]; then echo OrderSystem.slnx
    else die "OrderSystem.sln not found in $REPO_ROOT"
    fi
}

# Admin:ApiKey from ./appsettings.json; env Admin__ApiKey wins.
admin_api_key() {
    if [ -n "${Admin__ApiKey:-}" ]; then
        printf '%s' "$Admin__ApiKey"
        return 0
    fi
    [ -f appsettings.json ] || return 0
    local key=""
    if command -v python3 >/dev/null 2>&1; then
        key="$(python3 - <<'PY' 2>/dev/null || true
import json, re
text = open("appsettings.json", encoding="utf-8-sig").read()
# appsettings may contain // and /* */ comments and trailing commas
text = re.sub(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', lambda m: m.group(1) or "", text, flags=re.S)
text = re.sub(r',(\s*[}\]])', r'\1', text)
cfg = json.loads(text)
admin = next((v for k, v in cfg.items() if k.lower() == "admin"), {}) or {}
print(next((v for k, v in admin.items() if k.lower() == "apikey"), "") or "", end="")
PY
)"
    fi
    if [ -z "$key" ]; then
        # Fallback: first "ApiKey" inside the "Admin" block.
        key="$(sed -n '/"Admin"[[:space:]]*:/,/}/p' appsettings.json |
               sed -n 's/.*"ApiKey"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | head -n 1)"
    fi
    printf '%s' "$key"
}

http_code() { # url
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" 2>/dev/null || true
}

if [ "${1:-}" = stop ]; then
    stop_host
    "$REPO_ROOT/scripts/simulator.sh" stop
    "$REPO_ROOT/scripts/servers.sh" stop
    exit 0
fi

DETACH=0
case "${1:-}" in
    "") ;;
    --detach|-d) DETACH=1 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (use: ./run.sh [--detach|stop])" ;;
esac

command -v dotnet >/dev/null 2>&1 || die "dotnet (.NET 10 SDK) is not on PATH"

"$REPO_ROOT/scripts/servers.sh" start

SLN="$(solution_file)"
log "building $SLN (Release)"
dotnet build "$SLN" -c Release -nologo -v q || die "build failed"

"$REPO_ROOT/scripts/simulator.sh" start

log "applying database migrations"
dotnet "$MIGRATIONS_DLL" || die "migrations failed"

if host_running; then
    log "a host from a previous run is still running"
    stop_host
fi
hostport="${URL#*://}"; hostport="${hostport%%/*}"
if [ "$(http_code "$URL/")" != 000 ]; then
    die "something already answers on $URL (port ${hostport##*:} in use); stop it or set ORDERSYSTEM_URL"
fi

mkdir -p "$LOCAL_DIR"
log "starting host on $URL"
if [ "$DETACH" -eq 1 ]; then
    : >"$HOST_LOG"
    setsid nohup dotnet "$HOST_DLL" --urls "$URL" </dev/null >>"$HOST_LOG" 2>&1 &
else
    dotnet "$HOST_DLL" --urls "$URL" &
fi
pid=$!
echo "$pid" >"$HOST_PID"

# shellcheck disable=SC2317  # invoked via trap
on_signal() {
    trap - INT TERM
    log "stopping host (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
}
if [ "$DETACH" -eq 0 ]; then
    trap on_signal INT TERM
fi

# Wait for /health/live = 200 (or, if that endpoint does not exist, any HTTP
# answer from the inventory API).
deadline=$(( $(date +%s) + 60 ))
while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
        rm -f "$HOST_PID"
        if [ "$DETACH" -eq 1 ]; then
            tail -n 40 "$HOST_LOG" >&2
            die "host exited during startup (log: $HOST_LOG)"
        fi
        die "host exited during startup"
    fi
    code="$(http_code "$URL/health/live")"
    [ "$code" = 200 ] && break
    if [ "$code" = 404 ] && [ "$(http_code "$URL/api/inventory/SKU-0001")" != 000 ]; then
        break
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
        if [ "$DETACH" -eq 1 ]; then tail -n 40 "$HOST_LOG" >&2; fi
        kill -TERM "$pid" 2>/dev/null || true
        rm -f "$HOST_PID"
        die "host did not become healthy on $URL within 60s (last /health/live status: $code)"
    fi
    sleep 0.5
done
log "host is up (pid $pid)"

KEY="$(admin_api_key)"
[ -n "$KEY" ] || log "WARNING: no Admin:ApiKey in ./appsettings.json and Admin__ApiKey not set; seeding without a key"
log "seeding demo catalog (SKU-0001..SKU-0020)"
failed=0
for n in $(seq 1 20); do
    sku="$(printf 'SKU-%04d' "$n")"
    cents=$(( 999 + (n - 1) * 150 ))
    price="$(printf '%d.%02d' $(( cents / 100 )) $(( cents % 100 )))"
    body="$(printf '{"name":"Demo product %02d","price":%s,"available":1000}' "$n" "$price")"
    resp="$(mktemp)"
    code="$(curl -s -o "$resp" -w '%{http_code}' --max-time 10 -X PUT "$URL/api/admin/inventory/$sku" \
        -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' -d "$body" 2>/dev/null || true)"
    case "$code" in
        2??) ;;
        *) failed=$((failed + 1))
           printf '[run] WARNING: PUT /api/admin/inventory/%s -> HTTP %s %s\n' "$sku" "$code" "$(head -c 300 "$resp")" >&2 ;;
    esac
    rm -f "$resp"
done
if [ "$failed" -eq 0 ]; then
    log "seeded 20 products"
else
    log "WARNING: $failed of 20 seed requests failed"
fi

cat <<EOF

  OrderSystem is running
    API                 $URL   (e.g. $URL/api/inventory/SKU-0001)
    Health              $URL/health/live  $URL/health/ready
    Metrics             $URL/metrics   (Prometheus text format)
    API reference       $URL/docs      (OpenAPI document: $URL/openapi/v1.json)
    RabbitMQ management http://127.0.0.1:${ORDERSYSTEM_RABBIT_MGMT_PORT:-15682}  (user ordersystem / ordersystem)
    MariaDB             127.0.0.1:${ORDERSYSTEM_DB_PORT:-3316}  (user ordersystem / ordersystem, database ordersystem)
    Redis               127.0.0.1:${ORDERSYSTEM_REDIS_PORT:-6390}  (the flash sales' store; ConnectionStrings:Redis)
    Third parties (simulated)  http://127.0.0.1:${ORDERSYSTEM_SIMULATOR_PORT:-5089}  (PUT /control/{sms|logistics|payments})
EOF

if [ "$DETACH" -eq 1 ]; then
    echo "    Host pid $pid, log $HOST_LOG"
    echo "  Stop with: ./run.sh stop"
    exit 0
fi
echo "  Press Ctrl+C to stop the host (servers and simulator keep running; ./run.sh stop stops everything)."
echo

rc=0
while kill -0 "$pid" 2>/dev/null; do
    wait "$pid" && rc=0 || rc=$?
done
rm -f "$HOST_PID"
log "host exited (code $rc)"
exit "$rc"
