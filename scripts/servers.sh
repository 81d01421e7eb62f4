#!/usr/bin/env bash
# Local MariaDB + RabbitMQ + Redis for OrderSystem development and tests.
#
# Everything lives under <repo>/.local/ and runs as plain background processes
# (no systemd, no docker, no system config files), on non-default ports so a
# system MariaDB/RabbitMQ on the standard ports does not matter.
#
# Usage: scripts/servers.sh [command]
#   start            (default) install packages if missing, start all three, create users
#   stop             stop all three
#   status           print whether each server answers (exit 1 if one does not)
#   db-start         start MariaDB only (and ensure user/database)
#   db-stop          stop MariaDB only
#   rabbit-start     start the RabbitMQ node (or just its app if the node is up)
#   rabbit-stop      stop the whole RabbitMQ node (Erlang VM)
#   rabbit-start-app rabbitmqctl start_app, wait until AMQP accepts again
#   rabbit-stop-app  rabbitmqctl stop_app (node stays up, AMQP port closes)
#   redis-start      start Redis only (the flash sales' store)
#   redis-stop       stop Redis only
#   env              print the connection settings as shell variables
#
# Environment (defaults):
#   ORDERSYSTEM_DB_PORT=3316            MariaDB TCP port (bound to 127.0.0.1)
#   ORDERSYSTEM_AMQP_PORT=5682          RabbitMQ AMQP port (bound to 127.0.0.1)
#   ORDERSYSTEM_RABBIT_MGMT_PORT=15682  RabbitMQ management HTTP port (127.0.0.1)
#   ORDERSYSTEM_RABBIT_DIST_PORT=25682  Erlang distribution port (127.0.0.1)
#   ORDERSYSTEM_RABBIT_NODENAME=ordersystem@localhost
#                                       (ordersystem-<amqp port>@localhost when the
#                                       AMQP port is not the default)
#   ORDERSYSTEM_RABBIT_TIMEOUT=90       seconds to wait for RabbitMQ to boot
#   ORDERSYSTEM_DB_TIMEOUT=60           seconds to wait for MariaDB to boot
#   ORDERSYSTEM_REDIS_PORT=6390         Redis port (127.0.0.1); data in .local/redis
#   ORDERSYSTEM_REDIS_TIMEOUT=30        seconds to wait for Redis to boot
#
# Credentials: user "ordersystem", password "ordersystem" (MariaDB: ALL on *.*,
# database "ordersystem"; RabbitMQ: tag administrator, full permissions on "/").
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"
LOCAL_DIR="$REPO_ROOT/.local"

DB_PORT="${ORDERSYSTEM_DB_PORT:-3316}"
AMQP_PORT="${ORDERSYSTEM_AMQP_PORT:-5682}"
MGMT_PORT="${ORDERSYSTEM_RABBIT_MGMT_PORT:-15682}"
DB_TIMEOUT="${ORDERSYSTEM_DB_TIMEOUT:-60}"

APP_DB=ordersystem

DB_DIR="$LOCAL_DIR/mariadb"
DB_DATA="$DB_DIR/data"
DB_PID="$DB_DIR/mariadb.pid"
DB_LOG="$DB_DIR/mariadb.log"
DB_OUT="$DB_DIR/server.out"
DB_SOCK="$DB_DIR/mariadb.sock"
# Unix socket paths are limited to ~107 bytes; fall back to /tmp for deep checkouts.
if [ "${#DB_SOCK}" -gt 100 ]; then
    DB_SOCK="/tmp/ordersystem-mariadb-$(printf '%s' "$REPO_ROOT" | cksum | cut -d' ' -f1).sock"
fi

LOG_TAG=servers
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"
# shellcheck source-path=SCRIPTDIR source=lib/rabbit-node.sh
source "$SCRIPT_DIR/lib/rabbit-node.sh"
# shellcheck source-path=SCRIPTDIR source=lib/redis.sh
source "$SCRIPT_DIR/lib/redis.sh"

NODE_TIMEOUT="${ORDERSYSTEM_RABBIT_TIMEOUT:-90}"
NODE_NAME_VAR=ORDERSYSTEM_RABBIT_NODENAME
# The one RabbitMQ node, state in .local/rabbitmq/ (cookie in its home/). Node
# names are registered in the machine-wide epmd, so a second checkout running
# on other ports needs another name.
RABBIT=rabbit
if [ "$AMQP_PORT" = 5682 ]; then
    rabbit_name="${ORDERSYSTEM_RABBIT_NODENAME:-ordersystem@localhost}"
else
    rabbit_name="${ORDERSYSTEM_RABBIT_NODENAME:-ordersystem-$AMQP_PORT@localhost}"
fi
node_define "$RABBIT" "$rabbit_name" RabbitMQ "$AMQP_PORT" "$MGMT_PORT" "${ORDERSYSTEM_RABBIT_DIST_PORT:-25682}" \
    "$LOCAL_DIR/rabbitmq" "$LOCAL_DIR/rabbitmq/home"

LOCK="$LOCAL_DIR/servers.lock"

# ---------------------------------------------------------------- packages --

mariadbd_bin() {
    command -v mariadbd 2>/dev/null || command -v mysqld 2>/dev/null || true
}

# Installs exactly what is missing (MariaDB's and RabbitMQ's packages).
ensure_all_packages() {
    local need=()
    [ -n "$(mariadbd_bin)" ] || need+=(mariadb-server)
    command -v mariadb >/dev/null 2>&1 || command -v mysql >/dev/null 2>&1 || need+=(mariadb-client)
    # shellcheck disable=SC2207 # one package name per line, no spaces
    need+=($(redis_missing_packages))
    ensure_packages "${need[@]}"
    [ -n "$(mariadbd_bin)" ] || die "mariadbd not found after installing mariadb-server"
}

# ----------------------------------------------------------------- MariaDB --

db_client() { command -v mariadb 2>/dev/null || command -v mysql; }
db_admin()  { command -v mariadb-admin 2>/dev/null || command -v mysqladmin; }

# Root over the socket (root has an empty password; only reachable locally).
db_sql() {
    "$(db_client)" --no-defaults --socket="$DB_SOCK" -uroot --batch
}

db_ping() {
    "$(db_admin)" --no-defaults --socket="$DB_SOCK" -uroot --connect-timeout=2 ping >/dev/null 2>&1
}

db_init() {
    [ -d "$DB_DATA/mysql" ] && return 0
    log "initializing MariaDB data dir $DB_DATA"
    rm -rf "$DB_DATA"
    mkdir -p "$DB_DATA"
    local args=(--no-defaults --datadir="$DB_DATA" --auth-root-authentication-method=normal
                --skip-test-db --skip-name-resolve)
    [ "$(id -u)" -eq 0 ] && args+=(--user=root)
    if ! mariadb-install-db "${args[@]}" >"$DB_DIR/install-db.log" 2>&1; then
        cat "$DB_DIR/install-db.log" >&2
        rm -rf "$DB_DATA"
        die "mariadb-install-db failed (log above: $DB_DIR/install-db.log)"
    fi
}

db_setup_users() {
    db_sql <<SQL
DROP USER IF EXISTS ''@'localhost';
DROP USER IF EXISTS ''@'$(hostname 2>/dev/null || echo localhost)';
DROP USER IF EXISTS 'root'@'$(hostname 2>/dev/null || echo localhost)';
CREATE USER IF NOT EXISTS '$APP_USER'@'%' IDENTIFIED BY '$APP_PASS';
CREATE USER IF NOT EXISTS '$APP_USER'@'localhost' IDENTIFIED BY '$APP_PASS';
CREATE USER IF NOT EXISTS '$APP_USER'@'127.0.0.1' IDENTIFIED BY '$APP_PASS';
ALTER USER '$APP_USER'@'%' IDENTIFIED BY '$APP_PASS';
ALTER USER '$APP_USER'@'localhost' IDENTIFIED BY '$APP_PASS';
ALTER USER '$APP_USER'@'127.0.0.1' IDENTIFIED BY '$APP_PASS';
GRANT ALL PRIVILEGES ON *.* TO '$APP_USER'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$APP_USER'@'localhost' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$APP_USER'@'127.0.0.1' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS \`$APP_DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
FLUSH PRIVILEGES;
SQL
}

db_start() {
    mkdir -p "$DB_DIR"
    if db_ping; then
        log "MariaDB already running on 127.0.0.1:$DB_PORT"
        db_setup_users
        return 0
    fi
    kill_unanswering "$DB_PID" MariaDB
    require_free_port "$DB_PORT" "MariaDB; set ORDERSYSTEM_DB_PORT"
    db_init
    rm -f "$DB_PID" "$DB_SOCK"
    local bin args
    bin="$(mariadbd_bin)"
    # Dirty pages are flushed steadily (a low-water mark above 0 turns on adaptive flushing), not in one burst when the
    # redo log is three quarters full, where every commit waits if the burst falls behind (decision 0036).
    args=(--no-defaults
          --datadir="$DB_DATA"
          --port="$DB_PORT"
          --bind-address=127.0.0.1
          --socket="$DB_SOCK"
          --pid-file="$DB_PID"
          --log-error="$DB_LOG"
          --skip-name-resolve
          --innodb-buffer-pool-size=1G
          --innodb-log-file-size=1G
          --innodb-io-capacity=200
          --innodb-io-capacity-max=2000
          --innodb-max-dirty-pages-pct-lwm=10
          --max-connections=500
          --max-allowed-packet=64M
          --character-set-server=utf8mb4
          --collation-server=utf8mb4_unicode_ci
          --skip-log-bin)
    [ "$(id -u)" -eq 0 ] && args+=(--user=root)
    log "starting MariaDB on 127.0.0.1:$DB_PORT (log: $DB_LOG)"
    (
        cd "$DB_DIR"
        exec 9>&-
        exec setsid nohup "$bin" "${args[@]}" </dev/null >>"$DB_OUT" 2>&1
    ) &
    local launcher=$! deadline=$(( $(now) + DB_TIMEOUT ))
    until db_ping; do
        if ! kill -0 "$launcher" 2>/dev/null && ! pid_alive "$DB_PID"; then
            tail -n 30 "$DB_LOG" "$DB_OUT" >&2 2>/dev/null || true
            die "MariaDB exited during startup (see $DB_LOG)"
        fi
        if [ "$(now)" -ge "$deadline" ]; then
            tail -n 30 "$DB_LOG" >&2 2>/dev/null || true
            die "MariaDB did not answer within ${DB_TIMEOUT}s (see $DB_LOG)"
        fi
        sleep 0.2
    done
    db_setup_users
    log "MariaDB is up (pid $(pid_of "$DB_PID"))"
}

db_stop() {
    if db_ping; then
        log "stopping MariaDB"
        "$(db_admin)" --no-defaults --socket="$DB_SOCK" -uroot shutdown >/dev/null 2>&1 || true
    fi
    wait_exit "$DB_PID" 30 MariaDB
    rm -f "$DB_PID"
    log "MariaDB stopped"
}

db_status() {
    if db_ping; then
        log "MariaDB:  UP    127.0.0.1:$DB_PORT (socket $DB_SOCK, pid $(pid_of "$DB_PID"))"
        return 0
    fi
    log "MariaDB:  DOWN  127.0.0.1:$DB_PORT"
    return 1
}

# ---------------------------------------------------------------- RabbitMQ --
# The node itself is lib/rabbit-node.sh's; here only what a single node adds.

rabbit_verify() {
    port_open "$AMQP_PORT" || die "RabbitMQ AMQP is not listening on 127.0.0.1:$AMQP_PORT"
    local code
    code="$(mgmt_code "$MGMT_PORT" /api/overview)"
    [ "$code" = 200 ] ||
        die "RabbitMQ management http://127.0.0.1:$MGMT_PORT/api/overview answered $code for $APP_USER"
}

rabbit_start() {
    if node_ready "$RABBIT"; then
        log "RabbitMQ already running on 127.0.0.1:$AMQP_PORT"
        return 0
    fi
    prepare_node "$RABBIT"
    node_boot "$RABBIT"
    ensure_user "$RABBIT"
    rabbit_verify
    log "RabbitMQ is up (pid $(pid_of "$(node_pid "$RABBIT")"))"
}

rabbit_start_app() {
    if node_ready "$RABBIT"; then
        log "RabbitMQ app already running on 127.0.0.1:$AMQP_PORT"
    elif pid_alive "$(node_pid "$RABBIT")"; then
        node_start_app "$RABBIT"
        ensure_user "$RABBIT"
        rabbit_verify
        log "RabbitMQ app is up"
    else
        warn "RabbitMQ node is not running; starting the whole node"
        ensure_all_packages
        rabbit_start
    fi
}

rabbit_stop() {
    stop_node "$RABBIT"
    log "RabbitMQ stopped"
}

rabbit_stop_app() {
    pid_alive "$(node_pid "$RABBIT")" || die "RabbitMQ node is not running"
    log "stopping RabbitMQ app (node stays up; takes ~5s)"
    ctl "$RABBIT" -q stop_app >/dev/null || die "rabbitmqctl stop_app failed"
    log "RabbitMQ app stopped"
}

print_env() {
    cat <<EOF
ORDERSYSTEM_DB_HOST=127.0.0.1
ORDERSYSTEM_DB_PORT=$DB_PORT
ORDERSYSTEM_DB_USER=$APP_USER
ORDERSYSTEM_DB_PASSWORD=$APP_PASS
ORDERSYSTEM_DB_NAME=$APP_DB
ORDERSYSTEM_DB_SOCKET=$DB_SOCK
ORDERSYSTEM_AMQP_HOST=127.0.0.1
ORDERSYSTEM_AMQP_PORT=$AMQP_PORT
ORDERSYSTEM_AMQP_USER=$APP_USER
ORDERSYSTEM_AMQP_PASSWORD=$APP_PASS
ORDERSYSTEM_AMQP_VHOST=/
ORDERSYSTEM_RABBIT_MGMT_URL=http://127.0.0.1:$MGMT_PORT
ORDERSYSTEM_REDIS_HOST=127.0.0.1
ORDERSYSTEM_REDIS_PORT=$REDIS_PORT
EOF
}

# -------------------------------------------------------------------- main --

cmd="${1:-start}"
case "$cmd" in
    start)
        take_lock "$LOCK"
        ensure_all_packages
        started=$(now)
        db_start
        rabbit_start
        redis_start
        log "all servers up in $(( $(now) - started ))s:"
        log "  MariaDB  127.0.0.1:$DB_PORT user $APP_USER/$APP_PASS database $APP_DB"
        log "  RabbitMQ amqp://$APP_USER:$APP_PASS@127.0.0.1:$AMQP_PORT/ (vhost /)"
        log "  RabbitMQ management http://127.0.0.1:$MGMT_PORT ($APP_USER/$APP_PASS)"
        log "  Redis    127.0.0.1:$REDIS_PORT (append-only, fsync always)"
        ;;
    stop)
        take_lock "$LOCK"
        redis_stop
        rabbit_stop
        db_stop
        ;;
    status)
        rc=0
        db_status || rc=1
        node_status "$RABBIT" || rc=1
        redis_status || rc=1
        exit "$rc"
        ;;
    db-start)         take_lock "$LOCK"; ensure_all_packages; db_start ;;
    db-stop)          take_lock "$LOCK"; db_stop ;;
    rabbit-start)     take_lock "$LOCK"; ensure_all_packages; rabbit_start ;;
    rabbit-stop)      take_lock "$LOCK"; rabbit_stop ;;
    rabbit-start-app) take_lock "$LOCK"; rabbit_start_app ;;
    rabbit-stop-app)  take_lock "$LOCK"; rabbit_stop_app ;;
    redis-start)      take_lock "$LOCK"; ensure_all_packages; redis_start ;;
    redis-stop)       take_lock "$LOCK"; redis_stop ;;
    env)              print_env ;;
    -h|--help|help)   usage ;;
    *) die "unknown command '$cmd' (start|stop|status|db-start|db-stop|rabbit-start|rabbit-stop|rabbit-start-app|rabbit-stop-app|redis-start|redis-stop|env)" ;;
esac
