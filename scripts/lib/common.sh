# Shell helpers shared by servers.sh and rabbit-cluster.sh. Callers set LOG_TAG before sourcing.
# shellcheck shell=bash

log()  { printf '[%s] %s\n' "$LOG_TAG" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "$LOG_TAG" "$*" >&2; }
die()  { printf '[%s] ERROR: %s\n' "$LOG_TAG" "$*" >&2; exit 1; }

now() { date +%s; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

pid_alive() { # pidfile
    local pid
    [ -s "$1" ] || return 1
    pid="$(tr -dc '0-9' <"$1")"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

pid_of() { tr -dc '0-9' 2>/dev/null <"$1" || true; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root or sudo to run: $*"
    fi
}

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

