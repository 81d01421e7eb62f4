#!/usr/bin/env bash
# Local 3-node RabbitMQ cluster for OrderSystem (quorum queues, node failures).
#
# Three nodes of the Debian rabbitmq-server package run as plain background
# processes on this machine (no systemd, no docker, no system config files).
# All state lives under <repo>/.local/rabbit-cluster/n1..n3/; the three nodes
# share one Erlang cookie (<repo>/.local/rabbit-cluster/.erlang.cookie).
# Same conventions as scripts/servers.sh; independent of its single node.
#
# Usage: scripts/rabbit-cluster.sh [command]
#   start         (default) install rabbitmq-server if missing, start the 3
#                 nodes, form the cluster, create the user; idempotent (about
#                 a second when the cluster is already up)
#   stop          stop all nodes (3, 2, then 1)
#   reset         stop all nodes and delete their data: the next start
#                 creates a new cluster (what the tests do before starting)
#   status        print each node and the cluster membership (exit 1 unless
#                 all 3 nodes are running cluster members)
#   stop-node N   stop node N (1..3): its whole Erlang VM
#   start-node N  start node N again (same data) and wait until it is a
#                 running cluster member again
#   ports         print the AMQP ports, comma separated (5691,5692,5693)
#   check         declare a quorum queue, check it has a member on each node,
#                 publish to it, delete it (also run by a start that booted nodes)
#   -h, --help    this text
#
# Nodes: ordersystem-c1@localhost, ordersystem-c2@localhost, ordersystem-c3@localhost
# (ordersystem-c<amqp base>-N@localhost when the AMQP base is not the default).
#
# Environment (defaults); node N uses <base> + N:
#   ORDERSYSTEM_CLUSTER_AMQP_BASE=5690   AMQP ports 5691..5693 (127.0.0.1)
#   ORDERSYSTEM_CLUSTER_MGMT_BASE=15690  management HTTP ports 15691..15693
#   ORDERSYSTEM_CLUSTER_DIST_BASE=25690  Erlang distribution ports 25691..25693
#   ORDERSYSTEM_CLUSTER_NODE_PREFIX=ordersystem-c   node N is <prefix>N@localhost
#   ORDERSYSTEM_CLUSTER_DIR=<repo>/.local/rabbit-cluster   state directory
#   ORDERSYSTEM_CLUSTER_TIMEOUT=120      seconds to wait for nodes to boot/join
#
# Credentials: user "ordersystem", password "ordersystem", tag administrator,
# full permissions on vhost "/" (users are cluster-wide).
# Point OrderSystem at it with
#   RabbitMq__Nodes=127.0.0.1:5691,127.0.0.1:5692,127.0.0.1:5693
#   RabbitMq__QueueType=quorum
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"

# Daemons and admin tools live in sbin; non-root PATHs often lack it.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

AMQP_BASE="${ORDERSYSTEM_CLUSTER_AMQP_BASE:-5690}"
MGMT_BASE="${ORDERSYSTEM_CLUSTER_MGMT_BASE:-15690}"
DIST_BASE="${ORDERSYSTEM_CLUSTER_DIST_BASE:-25690}"
CLUSTER_DIR="${ORDERSYSTEM_CLUSTER_DIR:-$REPO_ROOT/.local/rabbit-cluster}"
TIMEOUT="${ORDERSYSTEM_CLUSTER_TIMEOUT:-120}"
# Node names are registered in the machine-wide epmd, so a second cluster on
# other ports needs other names.
if [ "$AMQP_BASE" = 5690 ]; then
    NODE_PREFIX="${ORDERSYSTEM_CLUSTER_NODE_PREFIX:-ordersystem-c}"
else
    NODE_PREFIX="${ORDERSYSTEM_CLUSTER_NODE_PREFIX:-ordersystem-c$AMQP_BASE-}"
fi

NODES=(1 2 3)
LAUNCHER=()  # node number -> pid of the launcher started by this script
APP_USER=ordersystem
APP_PASS=ordersystem
CHECK_QUEUE=cluster-check

LOG_TAG=cluster
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"


# ------------------------------------------------------------------ helpers --





# Serialize concurrent invocations (fds 8 and 9 are closed for daemons we launch).
take_lock() {
    mkdir -p "$CLUSTER_DIR"
    exec 9>"$CLUSTER_DIR/cluster.lock"
    if command -v flock >/dev/null 2>&1; then
        flock -w 300 9 || die "could not get lock $CLUSTER_DIR/cluster.lock"
    fi
}


ensure_packages() {
    local need=()
    [ -n "$(rabbit_bin_dir)" ] || need+=(rabbitmq-server)
    command -v curl >/dev/null 2>&1 || need+=(curl)
    command -v flock >/dev/null 2>&1 || need+=(util-linux)
    [ "${#need[@]}" -eq 0 ] && return 0
    log "installing missing packages: ${need[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
    [ -n "$(rabbit_bin_dir)" ] || die "rabbitmq-server not found after installing rabbitmq-server"
}

# -------------------------------------------------------------------- nodes --

check_node_arg() {
    case "${1:-}" in
        1|2|3) ;;
        *) die "node number must be 1, 2 or 3 (got '${1:-}')" ;;
    esac
}

node_name() { printf '%s%s@localhost' "$NODE_PREFIX" "$1"; }
amqp_port() { printf '%s' "$(( AMQP_BASE + $1 ))"; }
mgmt_port() { printf '%s' "$(( MGMT_BASE + $1 ))"; }
dist_port() { printf '%s' "$(( DIST_BASE + $1 ))"; }
node_dir()  { printf '%s/n%s' "$CLUSTER_DIR" "$1"; }
node_pid()  { printf '%s/n%s/rabbitmq.pid' "$CLUSTER_DIR" "$1"; }
node_out()  { printf '%s/n%s/server.out' "$CLUSTER_DIR" "$1"; }
# The node's database; its existence means the node has booted before.
node_db()   { printf '%s/mnesia/%s' "$(node_dir "$1")" "$(node_name "$1")"; }
remove_node_db() { rm -rf "$(node_db "$1")" "$(node_db "$1")"-*; }  # also -feature_flags, -plugins-expand

all_amqp_ports() {
    local n out=""
    for n in "${NODES[@]}"; do out="$out${out:+,}$(amqp_port "$n")"; done
    printf '%s\n' "$out"
}

# The one place that defines node N's environment; used by the server and by
# every CLI call (rabbitmqctl finds the node and the cookie through it).
node_env() { # N
    local dir
    dir="$(node_dir "$1")"
    export HOME="$CLUSTER_DIR"
    export RABBITMQ_NODENAME
    RABBITMQ_NODENAME="$(node_name "$1")"
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT
    RABBITMQ_NODE_PORT="$(amqp_port "$1")"
    export RABBITMQ_DIST_PORT
    RABBITMQ_DIST_PORT="$(dist_port "$1")"
    # CLI tools' own distribution ports (default 35672-35682 is shared with
    # every other node on the machine).
    export RABBITMQ_CTL_DIST_PORT_MIN=$(( RABBITMQ_DIST_PORT + 10000 ))
    export RABBITMQ_CTL_DIST_PORT_MAX=$(( RABBITMQ_DIST_PORT + 10010 ))
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

ctl() { # N rabbitmqctl-args...
    local n="$1"
    shift
    (node_env "$n"; "$(rabbit_bin_dir)/rabbitmqctl" -n "$(node_name "$n")" "$@")
}

prepare_cluster() {
    mkdir -p "$CLUSTER_DIR"
    chmod 700 "$CLUSTER_DIR"
    if [ ! -s "$CLUSTER_DIR/.erlang.cookie" ]; then
        (umask 077; head -c 48 /dev/urandom | od -An -tx1 | tr -dc '0-9a-f' >"$CLUSTER_DIR/.erlang.cookie")
    fi
    chmod 400 "$CLUSTER_DIR/.erlang.cookie"
    local n
    for n in "${NODES[@]}"; do prepare_node "$n"; done
}

prepare_node() { # N
    local dir
    dir="$(node_dir "$1")"
    mkdir -p "$dir/mnesia" "$dir/log"
    printf '[rabbitmq_management].\n' >"$dir/enabled_plugins"
    printf '# Generated by scripts/rabbit-cluster.sh: keeps /etc/rabbitmq/rabbitmq-env.conf out.\n' \
        >"$dir/rabbitmq-env.conf"
    [ -f "$dir/advanced.config" ] || printf '[].\n' >"$dir/advanced.config"
    cat >"$dir/rabbitmq.conf" <<EOF
# Generated by scripts/rabbit-cluster.sh for $(node_name "$1") - edits are overwritten on start.
listeners.tcp.default = 127.0.0.1:$(amqp_port "$1")
management.tcp.port = $(mgmt_port "$1")
management.tcp.ip = 127.0.0.1
cluster_partition_handling = pause_minority
# Used only when the node database is created (first boot of node 1; nodes 2
# and 3 drop theirs when they join). The script also (re)creates the user.
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

mgmt() { # port method path [json-body] -> prints body, then the HTTP status on its own line
    local args=(-s --max-time 10 -u "$APP_USER:$APP_PASS" -X "$2" -w '\n%{http_code}')
    [ $# -ge 4 ] && args+=(-H 'content-type: application/json' --data "$4")
    curl "${args[@]}" "http://127.0.0.1:$1$3" 2>/dev/null || printf '\n000'
}

mgmt_code() { # port path -> HTTP status of a GET
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
        -u "$APP_USER:$APP_PASS" "http://127.0.0.1:$1$2" 2>/dev/null || true
}

node_serving() { # N: AMQP and management listen (the rabbit app is running)
    port_open "$(amqp_port "$1")" && [ "$(mgmt_code "$(mgmt_port "$1")" /api/overview)" != 000 ]
}

node_vm_up() { # N: Erlang VM reachable (the app may be stopped or paused)
    pid_alive "$(node_pid "$1")" && ctl "$1" -q ping >/dev/null 2>&1
}

# Management port of some node that answers, or nothing.
any_mgmt_port() {
    local n
    for n in "${NODES[@]}"; do
        if [ "$(mgmt_code "$(mgmt_port "$n")" /api/overview)" = 200 ]; then
            mgmt_port "$n"
            return 0
        fi
    done
    return 0
}

# Node names that /api/nodes on management port $1 reports as running.
api_running_nodes() {
    mgmt "$1" GET '/api/nodes?columns=name,running' | sed '$d' |
        sed 's/},{/}\n{/g' | grep '"running":true' |
        grep -o '"name":"[^"]*"' | sed 's/"name":"\(.*\)"/\1/' || true
}

# Node names listed in "<key>" of `rabbitmqctl cluster_status` asked from node N.
ctl_cluster_nodes() { # N key (running_nodes|disk_nodes)
    local json
    json="$(ctl "$1" -q cluster_status --formatter json 2>/dev/null)" || return 1
    printf '%s' "$json" | tr -d '\n' | grep -o "\"$2\":\[[^]]*\]" |
        grep -o '"[^"]*@[^"]*"' | tr -d '"' || true
}

all_running_in() { # list-of-names: true when the list holds all our nodes
    local n
    for n in "${NODES[@]}"; do
        grep -qxF "$(node_name "$n")" <<<"$1" || return 1
    done
}

# Fast check: every node serves AMQP, and management (our user) reports all
# three as running cluster members.
cluster_ready() {
    local n port
    for n in "${NODES[@]}"; do port_open "$(amqp_port "$n")" || return 1; done
    port="$(mgmt_port 1)"
    [ "$(mgmt_code "$port" "/api/permissions/%2F/$APP_USER")" = 200 ] || return 1
    all_running_in "$(api_running_nodes "$port")"
}

# --------------------------------------------------------------- lifecycle --

# Kill a VM whose pid file is alive but that does not answer; refuse to start
# over ports somebody else uses.
node_precheck() { # N
    local pidf p
    pidf="$(node_pid "$1")"
    if pid_alive "$pidf"; then
        warn "node $1 pid $(pid_of "$pidf") exists but does not answer; killing it"
        kill -9 "$(pid_of "$pidf")" 2>/dev/null || true
        sleep 1
    fi
    if [ -n "$(launcher_pid "$1")" ]; then
        warn "node $1 is still being started by an earlier run (launcher pid $(launcher_pid "$1")); killing it"
        kill_launcher "$1"
    fi
    for p in "$(amqp_port "$1")" "$(mgmt_port "$1")" "$(dist_port "$1")"; do
        if port_open "$p"; then
            die "port $p (node $1) is already used by another process. $(ss -ltnp 2>/dev/null | grep ":$p " || true)"
        fi
    done
    rm -f "$pidf"
}

# Launch node N's server detached (own session, output to a file).
launch_node() { # N
    local bin dir out
    bin="$(rabbit_bin_dir)/rabbitmq-server"
    dir="$(node_dir "$1")"
    out="$(node_out "$1")"
    printf '\n==== %s starting %s\n' "$(date -u '+%F %T')" "$(node_name "$1")" >>"$out"
    log "starting node $1 $(node_name "$1") amqp 127.0.0.1:$(amqp_port "$1"), management :$(mgmt_port "$1") (log: $out)"
    (
        node_env "$1"
        cd "$dir"
        exec 8>&- 9>&-
        exec setsid nohup "$bin" </dev/null >>"$out" 2>&1
    ) &
    LAUNCHER[$1]=$!
    printf '%s\n' "$!" >"$dir/launcher.pid"
}

# Pid of node N's launcher (its /bin/sh rabbitmq-server, leader of the
# process group that holds the Erlang VM) while it runs, else nothing. Until
# the VM writes rabbitmq.pid this is the only handle on a booting node.
launcher_pid() { # N
    local pid
    pid="$(pid_of "$(node_dir "$1")/launcher.pid")"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
        [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$(node_dir "$1")" ] &&
        printf '%s\n' "$pid"
    return 0
}

# Kill node N's launcher process group (a node that is still booting).
kill_launcher() { # N
    local pid _
    pid="$(launcher_pid "$1")"
    [ -n "$pid" ] || return 0
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$(node_dir "$1")/launcher.pid"
}

# Wait until node N's VM runs (pid file written) and, unless $2 is "vm",
# its app serves AMQP and management.
wait_node() { # N [vm]
    local n="$1" what="${2:-app}" deadline=$(( $(now) + TIMEOUT )) out pidf seen_pid=""
    out="$(node_out "$n")"
    pidf="$(node_pid "$n")"
    while :; do
        if [ "$what" = vm ]; then
            pid_alive "$pidf" && return 0
        elif node_serving "$n"; then
            return 0
        fi
        pid_alive "$pidf" && seen_pid=1
        # Died: pid file gone after it was there, or our launcher exited
        # before writing it.
        if { [ -n "$seen_pid" ] || { [ -n "${LAUNCHER[$n]:-}" ] && ! kill -0 "${LAUNCHER[$n]}" 2>/dev/null; }; } &&
           ! pid_alive "$pidf"; then
            tail -n 40 "$out" >&2 2>/dev/null || true
            if grep -q duplicate_node_name "$out" 2>/dev/null; then
                die "another RabbitMQ node named $(node_name "$n") is already running (other checkout?); stop it or set ORDERSYSTEM_CLUSTER_NODE_PREFIX"
            fi
            die "node $n exited during startup (see $out and $(node_dir "$n")/log/)"
        fi
        if [ "$(now)" -ge "$deadline" ]; then
            return 1
        fi
        sleep 0.3
    done
}

wait_node_or_die() { # N
    wait_node "$1" || {
        tail -n 20 "$(node_out "$1")" >&2 2>/dev/null || true
        die "node $1 did not open 127.0.0.1:$(amqp_port "$1") and :$(mgmt_port "$1") within ${TIMEOUT}s (see $(node_dir "$1")/log/)"
    }
}

is_member() { # N: node N's own view lists node 1 as a cluster node
    [ "$1" = 1 ] && return 0
    ctl_cluster_nodes "$1" disk_nodes | grep -qxF "$(node_name 1)"
}

# Make node N (running standalone) join node 1's cluster. Only join_cluster
# itself (the schema change) is serialized with a lock, so nodes 2 and 3 can
# stop_app/start_app in parallel.
join_node() { # N [new]: "new" = node N was just created (skips the membership check)
    local n="$1" t0
    if [ "${2:-}" != new ] && is_member "$n"; then
        return 0
    fi
    t0=$(now)
    log "node $n joins the cluster of $(node_name 1): stop_app, join_cluster, start_app"
    # (CLI output is shown only when a step fails.)
    local out
    out="$(ctl "$n" -q stop_app 2>&1)" || die "node $n: rabbitmqctl stop_app failed: $out"
    out="$(
        exec 8>"$CLUSTER_DIR/join.lock"
        flock -w "$TIMEOUT" 8 || { echo "could not get lock $CLUSTER_DIR/join.lock"; exit 1; }
        ctl "$n" -q join_cluster "$(node_name 1)" 2>&1
    )" || die "node $n: rabbitmqctl join_cluster $(node_name 1) failed: $out"
    out="$(ctl "$n" -q start_app 2>&1)" || die "node $n: rabbitmqctl start_app failed: $out"
    wait_node_or_die "$n"
    log "node $n joined in $(( $(now) - t0 ))s"
}

# Boot node N (if down) and join it (nodes 2 and 3 do this in parallel).
boot_and_join() { # N
    local n="$1" t0 new=""
    t0=$(now)
    if ! node_serving "$n"; then
        [ -d "$(node_db "$n")" ] || new=new
        node_precheck "$n"
        launch_node "$n"
        wait_node_or_die "$n"
        log "node $n booted in $(( $(now) - t0 ))s"
    fi
    join_node "$n" "$new"
}

ensure_user() {
    local port
    port="$(mgmt_port 1)"
    if [ "$(mgmt_code "$port" "/api/permissions/%2F/$APP_USER")" = 200 ] &&
       [ "$(mgmt_code "$port" /api/whoami)" = 200 ]; then
        return 0
    fi
    log "creating RabbitMQ user $APP_USER"
    ctl 1 -q add_user "$APP_USER" "$APP_PASS" >/dev/null 2>&1 ||
        ctl 1 -q change_password "$APP_USER" "$APP_PASS" >/dev/null
    ctl 1 -q set_user_tags "$APP_USER" administrator >/dev/null
    ctl 1 -q set_permissions -p / "$APP_USER" '.*' '.*' '.*' >/dev/null
}

# All three nodes are running members according to `rabbitmqctl cluster_status`.
verify_cluster() {
    local running deadline=$(( $(now) + 30 ))
    while :; do
        running="$(ctl_cluster_nodes 1 running_nodes || true)"
        all_running_in "$running" && break
        [ "$(now)" -ge "$deadline" ] &&
            die "cluster_status on node 1 lists running nodes: $(printf '%s' "$running" | tr '\n' ' ')(expected all 3)"
        sleep 1
    done
    log "cluster_status: running nodes $(printf '%s' "$running" | tr '\n' ' ')"
}

# Start every node that is down at once: a node that was not the last one to
# stop waits (in mnesia) for the others, so starting them together works
# whatever order they were stopped in. Nodes with an empty database join.
start_existing_cluster() {
    local n pids=() down=()
    for n in "${NODES[@]}"; do
        if node_serving "$n"; then
            continue
        elif node_vm_up "$n"; then
            # VM up, app stopped: paused by pause_minority (resumes by itself
            # once a majority is back) or stopped with stop_app.
            continue
        fi
        node_precheck "$n"
        down+=("$n")
    done
    for n in "${down[@]}"; do launch_node "$n"; done
    for n in "${NODES[@]}"; do
        ( wait_node "$n" ) &
        pids+=("$!")
    done
    local failed=()
    for n in "${NODES[@]}"; do
        wait "${pids[$((n - 1))]}" || failed+=("$n")
    done
    if [ "${#failed[@]}" -eq "${#NODES[@]}" ]; then
        force_boot_restart
        return 0
    fi
    for n in "${failed[@]}"; do
        # Only for a node that was already up before (not one still booting).
        if ! grep -qxF "$n" <<<"$(printf '%s\n' "${down[@]}")" && node_vm_up "$n"; then
            log "node $n: VM up but app stopped; rabbitmqctl start_app"
            ctl "$n" -q start_app >/dev/null 2>&1 || true
            wait_node "$n" && continue
        fi
        if grep -qxF "$n" <<<"$(printf '%s\n' "${down[@]}")" && ! node_vm_up "$n"; then
            # It exited while its peers were still booting (RabbitMQ 3.10 can fail its feature-flag sync with a peer
            # that has not finished booting: incompatible_feature_flags, badmap). The peers are up now: once more.
            warn "node $n exited during startup; starting it once more now that its peers are up"
            launch_node "$n"
            wait_node "$n" && continue
        fi
        die "node $n did not come up within ${TIMEOUT}s (see $(node_dir "$n")/log/)"
    done
    for n in 2 3; do join_node "$n"; done
}

# Last resort when no node boots (each waits for a peer that was stopped
# later): stop all, force_boot node 1, start node 1, then the others.
force_boot_restart() {
    warn "no node came up within ${TIMEOUT}s; restarting with rabbitmqctl force_boot on node 1"
    local n
    for n in 3 2 1; do stop_node "$n" quiet; done
    ctl 1 -q force_boot >/dev/null || die "rabbitmqctl force_boot failed on node 1"
    launch_node 1
    wait_node_or_die 1
    launch_node 2
    launch_node 3
    wait_node_or_die 2
    wait_node_or_die 3
    for n in 2 3; do join_node "$n"; done
}

cluster_start() {
    local started n
    started=$(now)
    if cluster_ready; then
        log "cluster already running: amqp 127.0.0.1:$(all_amqp_ports) ($(( $(now) - started ))s)"
        return 0
    fi
    prepare_cluster
    if [ ! -d "$(node_db 1)" ]; then
        # New cluster: nodes 2 and 3 must not keep a database of an old one.
        for n in 2 3; do
            if [ -d "$(node_db "$n")" ]; then
                stop_node "$n" quiet
                warn "node 1 has no database; resetting node $n's ($(node_db "$n"))"
                remove_node_db "$n"
            fi
        done
        log "creating a new cluster under $CLUSTER_DIR"
        if ! node_serving 1; then
            node_precheck 1
            launch_node 1
            wait_node_or_die 1
        fi
        log "node 1 up after $(( $(now) - started ))s; booting nodes 2 and 3 in parallel"
        local pids=()
        for n in 2 3; do
            ( boot_and_join "$n" ) &
            pids+=("$!")
        done
        local rc=0
        for n in "${pids[@]}"; do wait "$n" || rc=1; done
        [ "$rc" = 0 ] || die "nodes 2 and 3 did not join (see $CLUSTER_DIR/n*/server.out)"
    else
        start_existing_cluster
    fi
    ensure_user
    verify_cluster
    quorum_check
    log "cluster up in $(( $(now) - started ))s: amqp 127.0.0.1:$(all_amqp_ports), management http://127.0.0.1:$(mgmt_port 1) ($APP_USER/$APP_PASS)"
    log "  RabbitMq__Nodes=$(all_amqp_ports | sed 's/\([0-9][0-9]*\)/127.0.0.1:\1/g') RabbitMq__QueueType=quorum"
}

stop_node() { # N [quiet]
    local n="$1" pidf deadline
    pidf="$(node_pid "$n")"
    if pid_alive "$pidf"; then
        [ -n "${2:-}" ] || log "stopping node $n $(node_name "$n")"
        ctl "$n" -q stop "$pidf" >/dev/null 2>&1 || true
        deadline=$(( $(now) + 60 ))
        while pid_alive "$pidf"; do
            if [ "$(now)" -ge "$deadline" ]; then
                warn "node $n did not stop in 60s; killing it"
                kill -9 "$(pid_of "$pidf")" 2>/dev/null || true
                sleep 0.5
                break
            fi
            sleep 0.2
        done
    elif [ -n "$(launcher_pid "$n")" ]; then
        log "stopping node $n $(node_name "$n") (still booting: killing launcher pid $(launcher_pid "$n"))"
        kill_launcher "$n"
    elif ctl "$n" -q ping >/dev/null 2>&1; then
        log "stopping node $n $(node_name "$n") (no pid file)"
        ctl "$n" -q stop >/dev/null 2>&1 || true
    else
        [ -n "${2:-}" ] || log "node $n $(node_name "$n") is not running"
    fi
    kill_launcher "$n"
    rm -f "$pidf"
}

cluster_stop() {
    local n started
    started=$(now)
    # Reverse order: node 1 stops last, so it is the node that boots first.
    for n in 3 2 1; do stop_node "$n"; done
    log "cluster stopped in $(( $(now) - started ))s"
}

# A node restarted mid-test can come back with a feature-flag file its peers
# disagree with (RabbitMQ 3.10: incompatible_feature_flags on every later
# boot); tests that need no state start from a new cluster instead.
cluster_reset() {
    cluster_stop
    local n
    for n in "${NODES[@]}"; do
        remove_node_db "$n"
    done
    log "cluster data removed; the next start creates a new cluster"
}

node_start() { # N
    local n="$1" started others=0 m
    started=$(now)
    if node_serving "$n" &&
       api_running_nodes "$(mgmt_port "$n")" | grep -qxF "$(node_name "$n")"; then
        log "node $n is already a running cluster member"
        return 0
    fi
    # Other nodes whose VM runs (serving, or paused by pause_minority).
    for m in "${NODES[@]}"; do
        [ "$m" != "$n" ] && pid_alive "$(node_pid "$m")" && others=$((others + 1))
    done
    if [ "$others" -eq 0 ]; then
        warn "no other cluster node is running; starting the whole cluster"
        cluster_start
        return 0
    fi
    if [ "$n" != 1 ] && [ ! -d "$(node_db 1)" ]; then
        die "node 1 has no database; run '$0 start'"
    fi
    prepare_cluster
    if node_serving "$n"; then
        log "node $n already running"
    elif node_vm_up "$n"; then
        log "node $n: VM up but app stopped; rabbitmqctl start_app"
        ctl "$n" -q start_app >/dev/null || die "node $n: rabbitmqctl start_app failed"
        wait_node_or_die "$n"
    else
        node_precheck "$n"
        launch_node "$n"
        wait_node_or_die "$n"
    fi
    join_node "$n"
    # Wait until another running node's cluster_status lists it as running
    # (a node paused by pause_minority resumes once the majority is back).
    local deadline=$(( $(now) + TIMEOUT ))
    while :; do
        for m in "${NODES[@]}"; do
            [ "$m" != "$n" ] && node_serving "$m" &&
                ctl_cluster_nodes "$m" running_nodes | grep -qxF "$(node_name "$n")" &&
                break 2
        done
        [ "$(now)" -ge "$deadline" ] && die "node $n is not a running cluster member after ${TIMEOUT}s"
        sleep 1
    done
    log "node $n is a running cluster member again (cluster_status on node $m; $(( $(now) - started ))s)"
}

# ----------------------------------------------------------------- checks --

# Declare a quorum queue, check it has a replica on all 3 nodes, publish to
# it, delete it. Needs all 3 nodes running.
quorum_check() {
    local port resp code members n path="/api/queues/%2F/$CHECK_QUEUE"
    port="$(any_mgmt_port)"
    [ -n "$port" ] || die "no node answers on its management port"
    resp="$(mgmt "$port" PUT "$path" '{"durable":true,"auto_delete":false,"arguments":{"x-queue-type":"quorum"}}')"
    code="$(tail -n 1 <<<"$resp")"
    case "$code" in
        201|204) ;;
        *) die "declaring quorum queue $CHECK_QUEUE failed: HTTP $code $(sed '$d' <<<"$resp")" ;;
    esac
    # Members show up in the management stats after a moment.
    local deadline=$(( $(now) + 20 )) ok=""
    while [ "$(now)" -lt "$deadline" ]; do
        members="$(mgmt "$port" GET "$path" | sed '$d' | grep -o '"members":\[[^]]*\]' || true)"
        ok=1
        for n in "${NODES[@]}"; do
            grep -qF "\"$(node_name "$n")\"" <<<"$members" || ok=""
        done
        [ -n "$ok" ] && break
        sleep 0.5
    done
    if [ -z "$ok" ]; then
        mgmt "$port" DELETE "$path" >/dev/null
        die "quorum queue $CHECK_QUEUE members are ${members:-unknown}; expected all 3 nodes"
    fi
    resp="$(mgmt "$port" POST /api/exchanges/%2F/amq.default/publish \
        "{\"properties\":{\"delivery_mode\":2},\"routing_key\":\"$CHECK_QUEUE\",\"payload\":\"check\",\"payload_encoding\":\"string\"}")"
    if ! grep -q '"routed":true' <<<"$resp"; then
        mgmt "$port" DELETE "$path" >/dev/null
        die "publishing to quorum queue $CHECK_QUEUE failed: $(tr '\n' ' ' <<<"$resp")"
    fi
    code="$(mgmt "$port" DELETE "$path" | tail -n 1)"
    [ "$code" = 204 ] || warn "deleting $CHECK_QUEUE answered HTTP $code"
    log "quorum queue check ok: $CHECK_QUEUE had members on all 3 nodes, publish routed"
}

cluster_status() {
    local n rc=0 pidf vm app mgmtc asker="" running
    for n in "${NODES[@]}"; do
        pidf="$(node_pid "$n")"
        vm=down app=down
        pid_alive "$pidf" && vm="up (pid $(pid_of "$pidf"))"
        port_open "$(amqp_port "$n")" && app=up
        mgmtc="$(mgmt_code "$(mgmt_port "$n")" /api/overview)"
        if [ "$app" = up ] && [ "$mgmtc" = 200 ]; then
            log "node $n: UP    $(node_name "$n")  amqp://127.0.0.1:$(amqp_port "$n")  http://127.0.0.1:$(mgmt_port "$n")  vm $vm"
            [ -n "$asker" ] || asker="$n"
        else
            [ "$vm" != down ] && [ "$app" = down ] && vm="$vm, app not running (paused by pause_minority, or stop_app)"
            log "node $n: DOWN  $(node_name "$n")  amqp 127.0.0.1:$(amqp_port "$n") $app, management :$(mgmt_port "$n") http $mgmtc, vm $vm"
            rc=1
        fi
    done
    if [ -z "$asker" ]; then
        log "cluster: DOWN (no node serves)"
        return 1
    fi
    if running="$(ctl_cluster_nodes "$asker" running_nodes)"; then
        log "cluster (cluster_status on node $asker): running nodes $(printf '%s' "$running" | tr '\n' ' ')"
        all_running_in "$running" || rc=1
    else
        log "cluster: rabbitmqctl cluster_status on node $asker failed"
        rc=1
    fi
    return "$rc"
}

# -------------------------------------------------------------------- main --

cmd="${1:-start}"
case "$cmd" in
    start)
        take_lock
        ensure_packages
        cluster_start
        ;;
    stop)
        take_lock
        cluster_stop
        ;;
    reset)
        take_lock
        cluster_reset
        ;;
    status)
        cluster_status
        ;;
    stop-node)
        check_node_arg "${2:-}"
        take_lock
        stop_node "$2"
        ;;
    start-node)
        check_node_arg "${2:-}"
        take_lock
        ensure_packages
        node_start "$2"
        ;;
    ports)
        all_amqp_ports
        ;;
    check)
        take_lock
        quorum_check
        ;;
    -h|--help|help)
        awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
        ;;
    *) die "unknown command '$cmd' (start|stop|reset|status|stop-node N|start-node N|ports|check|--help)" ;;
esac
