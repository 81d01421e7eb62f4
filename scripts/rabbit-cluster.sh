#!/usr/bin/env bash
# Local 3-node RabbitMQ cluster for OrderSystem (quorum queues, node failures).
#
# Three nodes of the Debian rabbitmq-server package run as plain background
# processes on this machine (no systemd, no docker, no system config files).
# All state lives under <repo>/.local/rabbit-cluster/n1..n3/; the three nodes
# share one Erlang cookie (<repo>/.local/rabbit-cluster/.erlang.cookie).
# Its nodes run through the same code as the single node of scripts/servers.sh
# (scripts/lib/rabbit-node.sh); independent of that node.
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

AMQP_BASE="${ORDERSYSTEM_CLUSTER_AMQP_BASE:-5690}"
MGMT_BASE="${ORDERSYSTEM_CLUSTER_MGMT_BASE:-15690}"
DIST_BASE="${ORDERSYSTEM_CLUSTER_DIST_BASE:-25690}"
CLUSTER_DIR="${ORDERSYSTEM_CLUSTER_DIR:-$REPO_ROOT/.local/rabbit-cluster}"
# Node names are registered in the machine-wide epmd, so a second cluster on
# other ports needs other names.
if [ "$AMQP_BASE" = 5690 ]; then
    NODE_PREFIX="${ORDERSYSTEM_CLUSTER_NODE_PREFIX:-ordersystem-c}"
else
    NODE_PREFIX="${ORDERSYSTEM_CLUSTER_NODE_PREFIX:-ordersystem-c$AMQP_BASE-}"
fi

NODES=(1 2 3)
CHECK_QUEUE=cluster-check

LOG_TAG=cluster
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"
# shellcheck source-path=SCRIPTDIR source=lib/rabbit-node.sh
source "$SCRIPT_DIR/lib/rabbit-node.sh"

NODE_TIMEOUT="${ORDERSYSTEM_CLUSTER_TIMEOUT:-120}"
NODE_NAME_VAR=ORDERSYSTEM_CLUSTER_NODE_PREFIX
# Node N: state in n<N>/, the cookie shared in the cluster directory.
for n in "${NODES[@]}"; do
    node_define "$n" "$NODE_PREFIX$n@localhost" "node $n" "$(( AMQP_BASE + n ))" "$(( MGMT_BASE + n ))" \
        "$(( DIST_BASE + n ))" "$CLUSTER_DIR/n$n" "$CLUSTER_DIR" 'cluster_partition_handling = pause_minority'
done
LOCK="$CLUSTER_DIR/cluster.lock"

# ------------------------------------------------------------------ helpers --

check_node_arg() {
    case "${1:-}" in
        1|2|3) ;;
        *) die "node number must be 1, 2 or 3 (got '${1:-}')" ;;
    esac
}

remove_node_db() { rm -rf "$(node_db "$1")" "$(node_db "$1")"-*; }  # also -feature_flags, -plugins-expand

all_amqp_ports() {
    local n out=""
    for n in "${NODES[@]}"; do out="$out${out:+,}$(amqp_port "$n")"; done
    printf '%s\n' "$out"
}

prepare_cluster() {
    local n
    for n in "${NODES[@]}"; do prepare_node "$n"; done
}

mgmt() { # port method path [json-body] -> prints body, then the HTTP status on its own line
    local args=(-s --max-time 10 -u "$APP_USER:$APP_PASS" -X "$2" -w '\n%{http_code}')
    [ $# -ge 4 ] && args+=(-H 'content-type: application/json' --data "$4")
    curl "${args[@]}" "http://127.0.0.1:$1$3" 2>/dev/null || printf '\n000'
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
        flock -w "$NODE_TIMEOUT" 8 || { echo "could not get lock $CLUSTER_DIR/join.lock"; exit 1; }
        ctl "$n" -q join_cluster "$(node_name 1)" 2>&1
    )" || die "node $n: rabbitmqctl join_cluster $(node_name 1) failed: $out"
    out="$(ctl "$n" -q start_app 2>&1)" || die "node $n: rabbitmqctl start_app failed: $out"
    node_wait_or_die "$n"
    log "node $n joined in $(( $(now) - t0 ))s"
}

# Boot node N (if down) and join it (nodes 2 and 3 do this in parallel).
boot_and_join() { # N
    local n="$1" t0 new=""
    t0=$(now)
    if ! node_serving "$n"; then
        [ -d "$(node_db "$n")" ] || new=new
        node_boot "$n"
        log "node $n booted in $(( $(now) - t0 ))s"
    fi
    join_node "$n" "$new"
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
    local n pids=() down=" "
    for n in "${NODES[@]}"; do
        # Not down: serving, or VM up with the app stopped (paused by
        # pause_minority, resumes by itself once a majority is back; or stop_app).
        if ! node_serving "$n" && ! node_vm_up "$n"; then
            node_precheck "$n"
            down="$down$n "
        fi
    done
    for n in $down; do launch_node "$n"; done
    for n in "${NODES[@]}"; do
        ( node_wait "$n" ) &
        pids+=("$!")
    done
    local failed=()
    for n in "${NODES[@]}"; do
        wait "${pids[$((n - 1))]}" || failed+=("$n")
    done
    for n in "${failed[@]}"; do
        if [[ "$down" != *" $n "* ]] && node_vm_up "$n"; then
            # It was up before (not one still booting), with its app stopped.
            node_start_app "$n"
            continue
        elif [[ "$down" = *" $n "* ]] && ! node_vm_up "$n"; then
            # It exited while its peers were still booting (RabbitMQ 3.10 can fail its feature-flag sync with a peer
            # that has not finished booting: incompatible_feature_flags, badmap). The peers are up now: once more.
            warn "node $n exited during startup; starting it once more now that its peers are up"
            launch_node "$n"
            node_wait "$n" && continue
        fi
        die "node $n did not come up within ${NODE_TIMEOUT}s (see $(node_dir "$n")/log/)"
    done
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
        node_boot 1
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
    ensure_user 1
    verify_cluster
    quorum_check
    log "cluster up in $(( $(now) - started ))s: amqp 127.0.0.1:$(all_amqp_ports), management http://127.0.0.1:$(mgmt_port 1) ($APP_USER/$APP_PASS)"
    log "  RabbitMq__Nodes=$(all_amqp_ports | sed 's/\([0-9][0-9]*\)/127.0.0.1:\1/g') RabbitMq__QueueType=quorum"
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
    node_boot "$n"
    join_node "$n"
    # Wait until another running node's cluster_status lists it as running
    # (a node paused by pause_minority resumes once the majority is back).
    local deadline=$(( $(now) + NODE_TIMEOUT ))
    while :; do
        for m in "${NODES[@]}"; do
            [ "$m" != "$n" ] && node_serving "$m" &&
                ctl_cluster_nodes "$m" running_nodes | grep -qxF "$(node_name "$n")" &&
                break 2
        done
        [ "$(now)" -ge "$deadline" ] && die "node $n is not a running cluster member after ${NODE_TIMEOUT}s"
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
    local n rc=0 asker="" running
    for n in "${NODES[@]}"; do
        if node_status "$n"; then
            [ -n "$asker" ] || asker="$n"
        else
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
        take_lock "$LOCK"
        ensure_packages
        cluster_start
        ;;
    stop)
        take_lock "$LOCK"
        cluster_stop
        ;;
    reset)
        take_lock "$LOCK"
        cluster_reset
        ;;
    status)
        cluster_status
        ;;
    stop-node)
        check_node_arg "${2:-}"
        take_lock "$LOCK"
        stop_node "$2"
        ;;
    start-node)
        check_node_arg "${2:-}"
        take_lock "$LOCK"
        ensure_packages
        node_start "$2"
        ;;
    ports)
        all_amqp_ports
        ;;
    check)
        take_lock "$LOCK"
        quorum_check
        ;;
    -h|--help|help)
        usage
        ;;
    *) die "unknown command '$cmd' (start|stop|reset|status|stop-node N|start-node N|ports|check|--help)" ;;
esac
