#!/usr/bin/env bash
# Local MariaDB + RabbitMQ for OrderSystem development and tests.
#
# Everything lives under <repo>/.local/ and runs as plain background processes
# (no systemd, no docker, no system config files), on non-default ports so a
# system MariaDB/RabbitMQ on the standard ports does not matter.
#
# Usage: scripts/servers.sh [command]
#   start            (default) install packages if missing, start both, create users
#   stop             stop both
#   status           print whether each server answers (exit 1 if one does not)
#   db-start         start MariaDB only (and ensure user/database)
#   db-stop          stop MariaDB only
#   rabbit-start     start the RabbitMQ node (or just its app if the node is up)
#   rabbit-stop      stop the whole RabbitMQ node (Erlang VM)
#   rabbit-start-app rabbitmqctl start_app, wait until AMQP accepts again
#   rabbit-stop-app  rabbitmqctl stop_app (node stays up, AMQP port closes)
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
#
# Credentials: user "ordersystem", password "ordersystem" (MariaDB: ALL on *.*,
# database "ordersystem"; RabbitMQ: tag administrator, full permissions on "/").
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"
LOCAL_DIR="$REPO_ROOT/.local"

# Daemons and admin tools live in sbin; non-root PATHs often lack it.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

DB_PORT="${ORDERSYSTEM_DB_PORT:-3316}"
AMQP_PORT="${ORDERSYSTEM_AMQP_PORT:-5682}"
MGMT_PORT="${ORDERSYSTEM_RABBIT_MGMT_PORT:-15682}"
DIST_PORT="${ORDERSYSTEM_RABBIT_DIST_PORT:-25682}"
RABBIT_TIMEOUT="${ORDERSYSTEM_RABBIT_TIMEOUT:-90}"
DB_TIMEOUT="${ORDERSYSTEM_DB_TIMEOUT:-60}"

APP_USER=ordersystem
APP_PASS=ordersystem
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

RABBIT_DIR="$LOCAL_DIR/rabbitmq"
RABBIT_PID="$RABBIT_DIR/rabbitmq.pid"
RABBIT_OUT="$RABBIT_DIR/server.out"
# Node names are registered in the machine-wide epmd, so a second checkout
# running on other ports needs another name.
if [ "$AMQP_PORT" = 5682 ]; then
    RABBIT_NODE="${ORDERSYSTEM_RABBIT_NODENAME:-ordersystem@localhost}"
else
    RABBIT_NODE="${ORDERSYSTEM_RABBIT_NODENAME:-ordersystem-$AMQP_PORT@localhost}"
fi

LOG_TAG=servers
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"






# Serialize concurrent invocations (fd 9 is closed for daemons we launch).
take_lock() {
    mkdir -p "$LOCAL_DIR"
    exec 9>"$LOCAL_DIR/servers.lock"
    if command -v flock >/dev/null 2>&1; then
        flock -w 300 9 || die "could not get lock $LOCAL_DIR/servers.lock"
    fi
}

# ---------------------------------------------------------------- packages --

mariadbd_bin() {
    command -v mariadbd 2>/dev/null || command -v mysqld 2>/dev/null || true
}


ensure_packages() {
    local need=()
    [ -n "$(mariadbd_bin)" ] || need+=(mariadb-server)
    command -v mariadb >/dev/null 2>&1 || command -v mysql >/dev/null 2>&1 || need+=(mariadb-client)
    [ -n "$(rabbit_bin_dir)" ] || need+=(rabbitmq-server)
    command -v curl >/dev/null 2>&1 || need+=(curl)
    command -v flock >/dev/null 2>&1 || need+=(util-linux)
    [ "${#need[@]}" -eq 0 ] && return 0
    log "installing missing packages: ${need[*]} (mariadb-server rabbitmq-server curl)"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        mariadb-server rabbitmq-server curl
    [ -n "$(mariadbd_bin)" ] || die "mariadbd not found after installing mariadb-server"
    [ -n "$(rabbit_bin_dir)" ] || die "rabbitmq-server not found after installing rabbitmq-server"
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
    if pid_alive "$DB_PID"; then
        warn "MariaDB pid $(pid_of "$DB_PID") exists but does not answer; killing it"
        kill -9 "$(pid_of "$DB_PID")" 2>/dev/null || true
        sleep 1
    fi
    if port_open "$DB_PORT"; then
        die "port $DB_PORT is already used by another process (set ORDERSYSTEM_DB_PORT). $(ss -ltnp 2>/dev/null | grep ":$DB_PORT " || true)"
    fi
    db_init
    rm -f "$DB_PID" "$DB_SOCK"
    local bin args
    bin="$(mariadbd_bin)"
    args=(--no-defaults
          --datadir="$DB_DATA"
          --port="$DB_PORT"
          --bind-address=127.0.0.1
          --socket="$DB_SOCK"
          --pid-file="$DB_PID"
          --log-error="$DB_LOG"
          --skip-name-resolve
          --innodb-buffer-pool-size=256M
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
    local deadline=$(( $(now) + 30 ))
    while pid_alive "$DB_PID"; do
        if [ "$(now)" -ge "$deadline" ]; then
            warn "MariaDB did not stop in 30s; killing it"
            kill -9 "$(pid_of "$DB_PID")" 2>/dev/null || true
            sleep 0.5
            break
        fi
        sleep 0.1
    done
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

# The one place that defines the RabbitMQ environment; used by the server and
# by every CLI call (rabbitmqctl finds the node and the cookie through it).
rabbit_env() {
    export HOME="$RABBIT_DIR/home"
    export RABBITMQ_NODENAME="$RABBIT_NODE"
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT="$AMQP_PORT"
    export RABBITMQ_DIST_PORT="$DIST_PORT"
    export RABBITMQ_MNESIA_BASE="$RABBIT_DIR/mnesia"
    export RABBITMQ_LOG_BASE="$RABBIT_DIR/log"
    export RABBITMQ_PID_FILE="$RABBIT_PID"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_DIR/enabled_plugins"
    export RABBITMQ_CONFIG_FILE="$RABBIT_DIR/rabbitmq.conf"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$RABBIT_DIR/advanced.config"
    export RABBITMQ_CONF_ENV_FILE="$RABBIT_DIR/rabbitmq-env.conf"
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export ERL_EPMD_ADDRESS=127.0.0.1
    unset RABBITMQ_USE_LONGNAME RABBITMQ_ERLANG_COOKIE
}

rabbitmqctl_() { (rabbit_env; "$(rabbit_bin_dir)/rabbitmqctl" "$@"); }

rabbit_prepare() {
    mkdir -p "$RABBIT_DIR/home" "$RABBIT_DIR/mnesia" "$RABBIT_DIR/log"
    chmod 700 "$RABBIT_DIR/home"
    if [ ! -s "$RABBIT_DIR/home/.erlang.cookie" ]; then
        (umask 077; head -c 48 /dev/urandom | od -An -tx1 | tr -dc '0-9a-f' >"$RABBIT_DIR/home/.erlang.cookie")
    fi
    chmod 400 "$RABBIT_DIR/home/.erlang.cookie"
    printf '[rabbitmq_management].\n' >"$RABBIT_DIR/enabled_plugins"
    : >"$RABBIT_DIR/rabbitmq-env.conf"
    [ -f "$RABBIT_DIR/advanced.config" ] || printf '[].\n' >"$RABBIT_DIR/advanced.config"
    cat >"$RABBIT_DIR/rabbitmq.conf" <<EOF
# Generated by scripts/servers.sh - edits are overwritten on start.
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
management.tcp.port = $MGMT_PORT
management.tcp.ip = 127.0.0.1
# Used only when the node database is created (first boot); servers.sh also
# (re)creates this user idempotently on every start.
default_user = $APP_USER
default_pass = $APP_PASS
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
default_vhost = /
disk_free_limit.absolute = 50MB
log.file.level = info
log.console = false
EOF
}

mgmt_get() { # path -> prints HTTP status
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
        -u "$APP_USER:$APP_PASS" "http://127.0.0.1:$MGMT_PORT$1" 2>/dev/null || true
}

# Fully usable: AMQP accepts, management answers with our credentials and the
# user has permissions on "/".
rabbit_ready() {
    port_open "$AMQP_PORT" &&
        [ "$(mgmt_get /api/overview)" = 200 ] &&
        [ "$(mgmt_get /api/permissions/%2F/$APP_USER)" = 200 ]
}

rabbit_node_up() { # Erlang node reachable (app may be stopped)
    pid_alive "$RABBIT_PID" && rabbitmqctl_ -q ping >/dev/null 2>&1
}

rabbit_setup_user() {
    if [ "$(mgmt_get /api/permissions/%2F/$APP_USER)" = 200 ] &&
       [ "$(mgmt_get /api/whoami)" = 200 ]; then
        return 0
    fi
    log "creating RabbitMQ user $APP_USER"
    rabbitmqctl_ -q add_user "$APP_USER" "$APP_PASS" >/dev/null 2>&1 ||
        rabbitmqctl_ -q change_password "$APP_USER" "$APP_PASS" >/dev/null
    rabbitmqctl_ -q set_user_tags "$APP_USER" administrator >/dev/null
    rabbitmqctl_ -q set_permissions -p / "$APP_USER" '.*' '.*' '.*' >/dev/null
}

rabbit_wait_ready() { # launcher-pid-or-empty [skip-await]
    local launcher="${1:-}" skip_await="${2:-}" deadline=$(( $(now) + RABBIT_TIMEOUT ))
    until port_open "$AMQP_PORT" && [ "$(mgmt_get /api/overview)" != 000 ]; do
        if [ -n "$launcher" ] && ! kill -0 "$launcher" 2>/dev/null && ! pid_alive "$RABBIT_PID"; then
            tail -n 40 "$RABBIT_OUT" >&2 2>/dev/null || true
            if grep -q duplicate_node_name "$RABBIT_OUT" 2>/dev/null; then
                die "another RabbitMQ node named $RABBIT_NODE is already running (other checkout?); stop it or set ORDERSYSTEM_RABBIT_NODENAME"
            fi
            die "RabbitMQ exited during startup (see $RABBIT_OUT and $RABBIT_DIR/log/)"
        fi
        if [ "$(now)" -ge "$deadline" ]; then
            tail -n 40 "$RABBIT_OUT" >&2 2>/dev/null || true
            die "RabbitMQ did not open 127.0.0.1:$AMQP_PORT and :$MGMT_PORT within ${RABBIT_TIMEOUT}s"
        fi
        sleep 0.3
    done
    [ -n "$skip_await" ] && return 0
    rabbitmqctl_ -q await_startup --timeout "$RABBIT_TIMEOUT" >/dev/null ||
        die "rabbitmqctl await_startup failed"
}

rabbit_verify() {
    port_open "$AMQP_PORT" || die "RabbitMQ AMQP is not listening on 127.0.0.1:$AMQP_PORT"
    local code
    code="$(mgmt_get /api/overview)"
    [ "$code" = 200 ] ||
        die "RabbitMQ management http://127.0.0.1:$MGMT_PORT/api/overview answered $code for $APP_USER"
}

rabbit_start_app() {
    log "starting RabbitMQ app (node already up)"
    # start_app is synchronous: when it returns the app has booted.
    rabbitmqctl_ -q start_app >/dev/null || die "rabbitmqctl start_app failed"
    rabbit_wait_ready "" skip-await
}

rabbit_start() {
    if rabbit_ready; then
        log "RabbitMQ already running on 127.0.0.1:$AMQP_PORT"
        return 0
    fi
    rabbit_prepare
    if rabbit_node_up; then
        rabbit_start_app
    else
        if pid_alive "$RABBIT_PID"; then
            warn "RabbitMQ pid $(pid_of "$RABBIT_PID") exists but does not answer; killing it"
            kill -9 "$(pid_of "$RABBIT_PID")" 2>/dev/null || true
            sleep 1
        fi
        local p
        for p in "$AMQP_PORT" "$MGMT_PORT" "$DIST_PORT"; do
            if port_open "$p"; then
                die "port $p is already used by another process. $(ss -ltnp 2>/dev/null | grep ":$p " || true)"
            fi
        done
        rm -f "$RABBIT_PID"
        log "starting RabbitMQ node $RABBIT_NODE on 127.0.0.1:$AMQP_PORT, management :$MGMT_PORT (log: $RABBIT_OUT)"
        local bin
        bin="$(rabbit_bin_dir)/rabbitmq-server"
        (
            rabbit_env
            cd "$RABBIT_DIR"
            exec 9>&-
            exec setsid nohup "$bin" </dev/null >>"$RABBIT_OUT" 2>&1
        ) &
        rabbit_wait_ready "$!"
    fi
    rabbit_setup_user
    rabbit_verify
    log "RabbitMQ is up (pid $(pid_of "$RABBIT_PID"))"
}

rabbit_stop() {
    if pid_alive "$RABBIT_PID"; then
        log "stopping RabbitMQ node"
        rabbitmqctl_ -q stop "$RABBIT_PID" >/dev/null 2>&1 || true
        local deadline=$(( $(now) + 30 ))
        while pid_alive "$RABBIT_PID"; do
            if [ "$(now)" -ge "$deadline" ]; then
                warn "RabbitMQ did not stop in 30s; killing it"
                kill -9 "$(pid_of "$RABBIT_PID")" 2>/dev/null || true
                sleep 0.5
                break
            fi
            sleep 0.2
        done
    elif rabbitmqctl_ -q ping >/dev/null 2>&1; then
        log "stopping RabbitMQ node (no pid file)"
        rabbitmqctl_ -q stop >/dev/null 2>&1 || true
    fi
    rm -f "$RABBIT_PID"
    log "RabbitMQ stopped"
}

rabbit_stop_app() {
    pid_alive "$RABBIT_PID" || die "RabbitMQ node is not running"
    log "stopping RabbitMQ app (node stays up; takes ~5s)"
    rabbitmqctl_ -q stop_app >/dev/null || die "rabbitmqctl stop_app failed"
    log "RabbitMQ app stopped"
}

rabbit_status() {
    local amqp=down mgmt node=down
    port_open "$AMQP_PORT" && amqp=up
    mgmt="$(mgmt_get /api/overview)"
    pid_alive "$RABBIT_PID" && node="up (pid $(pid_of "$RABBIT_PID"))"
    if [ "$amqp" = up ] && [ "$mgmt" = 200 ]; then
        log "RabbitMQ: UP    amqp://127.0.0.1:$AMQP_PORT  http://127.0.0.1:$MGMT_PORT  node $node"
        return 0
    fi
    log "RabbitMQ: DOWN  amqp 127.0.0.1:$AMQP_PORT $amqp, management :$MGMT_PORT http $mgmt, node $node"
    return 1
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
EOF
}

# -------------------------------------------------------------------- main --

cmd="${1:-start}"
case "$cmd" in
    start)
        take_lock
        ensure_packages
        started=$(now)
        db_start
        rabbit_start
        log "all servers up in $(( $(now) - started ))s:"
        log "  MariaDB  127.0.0.1:$DB_PORT user $APP_USER/$APP_PASS database $APP_DB"
        log "  RabbitMQ amqp://$APP_USER:$APP_PASS@127.0.0.1:$AMQP_PORT/ (vhost /)"
        log "  RabbitMQ management http://127.0.0.1:$MGMT_PORT ($APP_USER/$APP_PASS)"
        ;;
    stop)
        take_lock
        rabbit_stop
        db_stop
        ;;
    status)
        rc=0
        db_status || rc=1
        rabbit_status || rc=1
        exit "$rc"
        ;;
    db-start)         take_lock; ensure_packages; db_start ;;
    db-stop)          take_lock; db_stop ;;
    rabbit-start)     take_lock; ensure_packages; rabbit_start ;;
    rabbit-stop)      take_lock; rabbit_stop ;;
    rabbit-start-app)
        take_lock
        if rabbit_ready; then
            log "RabbitMQ app already running on 127.0.0.1:$AMQP_PORT"
        elif pid_alive "$RABBIT_PID"; then
            rabbit_start_app
            rabbit_setup_user
            rabbit_verify
            log "RabbitMQ app is up"
        else
            warn "RabbitMQ node is not running; starting the whole node"
            ensure_packages
            rabbit_start
        fi
        ;;
    rabbit-stop-app)  take_lock; rabbit_stop_app ;;
    env)              print_env ;;
    -h|--help|help)   awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0" ;;
    *) die "unknown command '$cmd' (start|stop|status|db-start|db-stop|rabbit-start|rabbit-stop|rabbit-start-app|rabbit-stop-app|env)" ;;
esac
