# Redis for the flash sales (docs/decisions/0018-flash-sale-store.md), sourced by servers.sh after lib/common.sh.
# A background process on 127.0.0.1:$REDIS_PORT with its data in .local/redis. Every write is in the append-only file
# and fsynced before Redis answers (appendonly yes, appendfsync always): an admission answered 202 survives a crash.
# shellcheck shell=bash

REDIS_PORT="${ORDERSYSTEM_REDIS_PORT:-6390}"
REDIS_TIMEOUT="${ORDERSYSTEM_REDIS_TIMEOUT:-30}"
# A second checkout (or a second port) keeps its own data directory.
if [ "$REDIS_PORT" = 6390 ]; then
    REDIS_DIR="$LOCAL_DIR/redis"
else
    REDIS_DIR="$LOCAL_DIR/redis-$REDIS_PORT"
fi
REDIS_PID="$REDIS_DIR/redis.pid"
REDIS_LOG="$REDIS_DIR/redis.log"

redis_cli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }

redis_ping() { [ "$(redis_cli --raw ping 2>/dev/null)" = PONG ]; }

# What servers.sh installs when it is missing.
redis_missing_packages() {
    command -v redis-server >/dev/null 2>&1 || echo redis-server
}

redis_start() {
    mkdir -p "$REDIS_DIR"
    if redis_ping; then
        log "Redis already running on 127.0.0.1:$REDIS_PORT"
        return 0
    fi
    kill_unanswering "$REDIS_PID" Redis
    require_free_port "$REDIS_PORT" "Redis; set ORDERSYSTEM_REDIS_PORT"
    log "starting Redis on 127.0.0.1:$REDIS_PORT (data: $REDIS_DIR, log: $REDIS_LOG)"
    # No RDB snapshots: the append-only file alone is the record, fsynced on every write.
    (
        exec 9>&-
        exec redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" --daemonize yes \
            --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" --save "" \
            --appendonly yes --appendfsync always --appenddirname appendonly --protected-mode no
    ) >/dev/null
    local deadline=$(( $(now) + REDIS_TIMEOUT ))
    until redis_ping; do
        if [ "$(now)" -ge "$deadline" ]; then
            tail -n 30 "$REDIS_LOG" >&2 2>/dev/null || true
            die "Redis did not answer within ${REDIS_TIMEOUT}s (see $REDIS_LOG)"
        fi
        sleep 0.2
    done
    log "Redis is up (pid $(pid_of "$REDIS_PID"))"
}

redis_stop() {
    if redis_ping; then
        log "stopping Redis"
        # SHUTDOWN fsyncs the append-only file once more; NOSAVE because no RDB snapshot is kept.
        redis_cli shutdown nosave >/dev/null 2>&1 || true
    fi
    wait_exit "$REDIS_PID" 30 Redis
    rm -f "$REDIS_PID"
    log "Redis stopped"
}

redis_status() {
    if redis_ping; then
        log "Redis:    UP    127.0.0.1:$REDIS_PORT (pid $(pid_of "$REDIS_PID"))"
        return 0
    fi
    log "Redis:    DOWN  127.0.0.1:$REDIS_PORT"
    return 1
}
