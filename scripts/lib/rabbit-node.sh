# A RabbitMQ node of Debian's rabbitmq-server package run as a plain background process (no systemd, no docker,
# no system config files): its environment, generated config files, start, wait for boot, stop, user and status.
# The one node code of servers.sh (one node) and rabbit-cluster.sh (three). Callers source lib/common.sh (whose
# APP_USER/APP_PASS every node gets: tag administrator, full permissions on vhost "/") and this file, set
#   NODE_TIMEOUT   seconds to wait for a node to boot
#   NODE_NAME_VAR  the environment variable that renames their nodes (named when a node name is taken)
# and declare each node with node_define. Every function takes the node's key.
# shellcheck shell=bash

declare -gA NODE_NAME=() NODE_LABEL=() NODE_AMQP=() NODE_MGMT=() NODE_DIST=() NODE_DIR=() NODE_HOME=() NODE_CONF=()
declare -gA LAUNCHER=() # key -> pid of the launcher this process started

# node_define KEY NAME LABEL AMQP-PORT MGMT-PORT DIST-PORT DIR HOME [RABBITMQ-CONF-LINES]
#   NAME   Erlang node name (<name>@localhost; registered in the machine-wide epmd, so unique on the machine)
#   LABEL  what log lines call it ("RabbitMQ", "node 2")
#   DIR    its mnesia/, log/, rabbitmq.pid, launcher.pid, server.out and generated config files
#   HOME   HOME of its server and CLI calls, holding the Erlang cookie (the nodes of a cluster share one)
node_define() {
    NODE_NAME[$1]="$2"
    NODE_LABEL[$1]="$3"
    NODE_AMQP[$1]="$4"
    NODE_MGMT[$1]="$5"
    NODE_DIST[$1]="$6"
    NODE_DIR[$1]="$7"
    NODE_HOME[$1]="$8"
    NODE_CONF[$1]="${9:-}"
}

node_name() { printf '%s' "${NODE_NAME[$1]}"; }
amqp_port() { printf '%s' "${NODE_AMQP[$1]}"; }
mgmt_port() { printf '%s' "${NODE_MGMT[$1]}"; }
node_dir()  { printf '%s' "${NODE_DIR[$1]}"; }
node_pid()  { printf '%s/rabbitmq.pid' "${NODE_DIR[$1]}"; }
node_out()  { printf '%s/server.out' "${NODE_DIR[$1]}"; }
# The node's database; its existence means the node has booted before.
node_db()   { printf '%s/mnesia/%s' "${NODE_DIR[$1]}" "${NODE_NAME[$1]}"; }

rabbit_bin_dir() {
    # Debian's /usr/sbin wrappers su to the "rabbitmq" user and cd to
    # /var/lib/rabbitmq; use the real scripts so our env/dirs are honoured.
    local d
    for d in /usr/lib/rabbitmq/bin /usr/local/lib/rabbitmq/bin; do
        if [ -x "$d/rabbitmq-server" ]; then
            printf '%s\n' "$d"
            return 0
        fi
    done
    d="$(command -v rabbitmq-server 2>/dev/null || true)"
    [ -n "$d" ] && dirname "$d"
    return 0
}

# apt-get install exactly what is missing: what a node needs (rabbitmq-server, curl for the management API,
# flock) and the caller's own missing packages given as arguments.
# shellcheck disable=SC2120 # rabbit-cluster.sh has none to add
ensure_packages() { # [missing package...]
    local need=("$@")
    [ -n "$(rabbit_bin_dir)" ] || need+=(rabbitmq-server)
    command -v curl >/dev/null 2>&1 || need+=(curl)
    command -v flock >/dev/null 2>&1 || need+=(util-linux)
    install_packages "${need[@]}"
    [ -n "$(rabbit_bin_dir)" ] || die "rabbitmq-server not found after installing rabbitmq-server"
}

# The one place that defines a node's environment; used by its server and by
# every CLI call (rabbitmqctl finds the node and the cookie through it).
node_env() { # KEY
    local dir="${NODE_DIR[$1]}"
    export HOME="${NODE_HOME[$1]}"
    export RABBITMQ_NODENAME="${NODE_NAME[$1]}"
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT="${NODE_AMQP[$1]}"
    export RABBITMQ_DIST_PORT="${NODE_DIST[$1]}"
    # CLI tools' own distribution ports (default 35672-35682 is shared with
    # every other node on the machine).
    export RABBITMQ_CTL_DIST_PORT_MIN=$(( ${NODE_DIST[$1]} + 10000 ))
    export RABBITMQ_CTL_DIST_PORT_MAX=$(( ${NODE_DIST[$1]} + 10010 ))
    export RABBITMQ_MNESIA_BASE="$dir/mnesia"
    export RABBITMQ_LOG_BASE="$dir/log"
    export RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
    export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
    export RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export ERL_EPMD_ADDRESS=127.0.0.1
    unset RABBITMQ_USE_LONGNAME RABBITMQ_ERLANG_COOKIE
}

ctl() { # KEY rabbitmqctl-args...
    local key="$1"
    shift
    (node_env "$key"; "$(rabbit_bin_dir)/rabbitmqctl" -n "${NODE_NAME[$key]}" "$@")
}

# The node's directories and Erlang cookie (made once), and its config files (written on every start).
prepare_node() { # KEY
    local dir="${NODE_DIR[$1]}" home="${NODE_HOME[$1]}" script
    script="scripts/$(basename "$0")"
    mkdir -p "$dir/mnesia" "$dir/log" "$home"
    chmod 700 "$home"
    if [ ! -s "$home/.erlang.cookie" ]; then
        (umask 077; head -c 48 /dev/urandom | od -An -tx1 | tr -dc '0-9a-f' >"$home/.erlang.cookie")
    fi
    chmod 400 "$home/.erlang.cookie"
    printf '[rabbitmq_management].\n' >"$dir/enabled_plugins"
    printf '# Generated by %s: keeps /etc/rabbitmq/rabbitmq-env.conf out.\n' "$script" >"$dir/rabbitmq-env.conf"
    [ -f "$dir/advanced.config" ] || printf '[].\n' >"$dir/advanced.config"
    {
        cat <<EOF
# Generated by $script for ${NODE_NAME[$1]} - edits are overwritten on start.
listeners.tcp.default = 127.0.0.1:${NODE_AMQP[$1]}
management.tcp.port = ${NODE_MGMT[$1]}
management.tcp.ip = 127.0.0.1
# Used only when the node database is created (a node joining a cluster drops
# its own); the script also (re)creates this user when it is missing.
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
        [ -z "${NODE_CONF[$1]}" ] || printf '%s\n' "${NODE_CONF[$1]}"
    } >"$dir/rabbitmq.conf"
}

mgmt_code() { # port path -> HTTP status of a GET as our user (000: no answer)
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
        -u "$APP_USER:$APP_PASS" "http://127.0.0.1:$1$2" 2>/dev/null || true
}

node_serving() { # KEY: AMQP and management listen (the rabbit app is running)
    port_open "${NODE_AMQP[$1]}" && [ "$(mgmt_code "${NODE_MGMT[$1]}" /api/overview)" != 000 ]
}

node_vm_up() { # KEY: Erlang VM reachable (the app may be stopped or paused)
    pid_alive "$(node_pid "$1")" && ctl "$1" -q ping >/dev/null 2>&1
}

# Fully usable: AMQP accepts, management answers our user, who has permissions on "/".
node_ready() { # KEY
    port_open "${NODE_AMQP[$1]}" &&
        [ "$(mgmt_code "${NODE_MGMT[$1]}" /api/overview)" = 200 ] &&
        [ "$(mgmt_code "${NODE_MGMT[$1]}" "/api/permissions/%2F/$APP_USER")" = 200 ]
}

# Create our user (or reset its password, tag and permissions) unless management lets it in with its permissions.
# Users are cluster-wide: one node of a cluster is enough.
ensure_user() { # KEY
    local port="${NODE_MGMT[$1]}"
    if [ "$(mgmt_code "$port" "/api/permissions/%2F/$APP_USER")" = 200 ] &&
       [ "$(mgmt_code "$port" /api/whoami)" = 200 ]; then
        return 0
    fi
    log "creating RabbitMQ user $APP_USER"
    ctl "$1" -q add_user "$APP_USER" "$APP_PASS" >/dev/null 2>&1 ||
        ctl "$1" -q change_password "$APP_USER" "$APP_PASS" >/dev/null
    ctl "$1" -q set_user_tags "$APP_USER" administrator >/dev/null
    ctl "$1" -q set_permissions -p / "$APP_USER" '.*' '.*' '.*' >/dev/null
}

# Pid of node KEY's launcher (its /bin/sh rabbitmq-server, leader of the
# process group that holds the Erlang VM) while it runs, else nothing. Until
# the VM writes rabbitmq.pid this is the only handle on a booting node.
launcher_pid() { # KEY
    local pid
    pid="$(pid_of "${NODE_DIR[$1]}/launcher.pid")"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
        [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "${NODE_DIR[$1]}" ] &&
        printf '%s\n' "$pid"
    return 0
}

# Kill node KEY's launcher process group (a node that is still booting).
kill_launcher() { # KEY
    local pid _
    pid="$(launcher_pid "$1")"
    [ -n "$pid" ] || return 0
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "${NODE_DIR[$1]}/launcher.pid"
}

# Before launching node KEY: kill a VM whose pid file is alive but that does not answer, and a launcher of an
# earlier run that is still booting it; refuse to start over ports somebody else uses.
node_precheck() { # KEY
    local p what="${NODE_LABEL[$1]}"
    kill_unanswering "$(node_pid "$1")" "$what"
    if [ -n "$(launcher_pid "$1")" ]; then
        warn "$what is still being started by an earlier run (launcher pid $(launcher_pid "$1")); killing it"
        kill_launcher "$1"
    fi
    for p in "${NODE_AMQP[$1]}" "${NODE_MGMT[$1]}" "${NODE_DIST[$1]}"; do
        require_free_port "$p" "$what"
    done
    rm -f "$(node_pid "$1")"
}

# Launch node KEY's server detached (own session, output to a file), so a caller capturing our output never hangs.
launch_node() { # KEY
    local bin dir="${NODE_DIR[$1]}" out
    bin="$(rabbit_bin_dir)/rabbitmq-server"
    out="$(node_out "$1")"
    printf '\n==== %s starting %s\n' "$(date -u '+%F %T')" "${NODE_NAME[$1]}" >>"$out"
    log "starting ${NODE_LABEL[$1]} ${NODE_NAME[$1]} amqp 127.0.0.1:${NODE_AMQP[$1]}, management :${NODE_MGMT[$1]} (log: $out)"
    (
        node_env "$1"
        cd "$dir" || exit 1
        exec 8>&- 9>&-
        exec setsid nohup "$bin" </dev/null >>"$out" 2>&1
    ) &
    LAUNCHER[$1]=$!
    printf '%s\n' "$!" >"$dir/launcher.pid"
}

# Wait until node KEY serves AMQP and management: false after NODE_TIMEOUT seconds; dies when the node exits
# (its VM's pid file was alive and is not any more, or the launcher this process started exited before the VM
# wrote it).
node_wait() { # KEY
    local key="$1" deadline=$(( $(now) + NODE_TIMEOUT )) out pidf seen_pid=""
    out="$(node_out "$key")"
    pidf="$(node_pid "$key")"
    until node_serving "$key"; do
        pid_alive "$pidf" && seen_pid=1
        if { [ -n "$seen_pid" ] || { [ -n "${LAUNCHER[$key]:-}" ] && ! kill -0 "${LAUNCHER[$key]}" 2>/dev/null; }; } &&
           ! pid_alive "$pidf"; then
            tail -n 40 "$out" >&2 2>/dev/null || true
            if grep -q duplicate_node_name "$out" 2>/dev/null; then
                die "another RabbitMQ node named ${NODE_NAME[$key]} is already running (other checkout?); stop it or set $NODE_NAME_VAR"
            fi
            die "${NODE_LABEL[$key]} exited during startup (see $out and ${NODE_DIR[$key]}/log/)"
        fi
        [ "$(now)" -lt "$deadline" ] || return 1
        sleep 0.3
    done
}

node_wait_or_die() { # KEY
    node_wait "$1" || {
        tail -n 20 "$(node_out "$1")" >&2 2>/dev/null || true
        die "${NODE_LABEL[$1]} did not open 127.0.0.1:${NODE_AMQP[$1]} and :${NODE_MGMT[$1]} within ${NODE_TIMEOUT}s (see ${NODE_DIR[$1]}/log/)"
    }
}

# Node KEY's VM runs but its app does not (stop_app): start the app and wait until it serves.
node_start_app() { # KEY
    log "${NODE_LABEL[$1]}: VM up but app stopped; rabbitmqctl start_app"
    ctl "$1" -q start_app >/dev/null || die "${NODE_LABEL[$1]}: rabbitmqctl start_app failed"
    node_wait_or_die "$1"
}

# Bring node KEY up with its data: nothing when it serves, its app when only its VM runs, else launch it.
node_boot() { # KEY
    if node_serving "$1"; then
        return 0
    elif node_vm_up "$1"; then
        node_start_app "$1"
    else
        node_precheck "$1"
        launch_node "$1"
        node_wait_or_die "$1"
    fi
}

# Stop node KEY's whole Erlang VM (killed when it takes over 60 s), or its launcher while it still boots.
stop_node() { # KEY [quiet]
    local key="$1" what pidf
    what="${NODE_LABEL[$key]} ${NODE_NAME[$key]}"
    pidf="$(node_pid "$key")"
    if pid_alive "$pidf"; then
        [ -n "${2:-}" ] || log "stopping $what"
        ctl "$key" -q stop "$pidf" >/dev/null 2>&1 || true
        wait_exit "$pidf" 60 "$what"
    elif [ -n "$(launcher_pid "$key")" ]; then
        log "stopping $what (still booting: killing launcher pid $(launcher_pid "$key"))"
        kill_launcher "$key"
    elif ctl "$key" -q ping >/dev/null 2>&1; then
        log "stopping $what (no pid file)"
        ctl "$key" -q stop >/dev/null 2>&1 || true
    else
        [ -n "${2:-}" ] || log "$what is not running"
    fi
    kill_launcher "$key"
    rm -f "$pidf"
}

# One status line for node KEY; true when it serves AMQP and management answers our user.
node_status() { # KEY
    local key="$1" vm=down app=down http pidf
    pidf="$(node_pid "$key")"
    pid_alive "$pidf" && vm="up (pid $(pid_of "$pidf"))"
    port_open "${NODE_AMQP[$key]}" && app=up
    http="$(mgmt_code "${NODE_MGMT[$key]}" /api/overview)"
    if [ "$app" = up ] && [ "$http" = 200 ]; then
        log "${NODE_LABEL[$key]}: UP    ${NODE_NAME[$key]}  amqp://127.0.0.1:${NODE_AMQP[$key]}  http://127.0.0.1:${NODE_MGMT[$key]}  vm $vm"
        return 0
    fi
    if [ "$vm" != down ] && [ "$app" = down ]; then
        vm="$vm, app not running (stop_app$([[ "${NODE_CONF[$key]}" != *pause_minority* ]] || echo ', or paused by pause_minority'))"
    fi
    log "${NODE_LABEL[$key]}: DOWN  ${NODE_NAME[$key]}  amqp 127.0.0.1:${NODE_AMQP[$key]} $app, management :${NODE_MGMT[$key]} http $http, vm $vm"
    return 1
}
