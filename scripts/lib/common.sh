# Shell helpers shared by servers.sh and rabbit-cluster.sh. Callers set LOG_TAG before sourcing.
# shellcheck shell=bash

# Daemons and admin tools live in sbin; non-root PATHs often lack it.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

# The user and password of every local server (README).
# shellcheck disable=SC2034 # used by the scripts and lib/rabbit-node.sh
APP_USER=ordersystem APP_PASS=ordersystem

log()  { printf '[%s] %s\n' "$LOG_TAG" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "$LOG_TAG" "$*" >&2; }
die()  { printf '[%s] ERROR: %s\n' "$LOG_TAG" "$*" >&2; exit 1; }

now() { date +%s; }

# The comment block at the top of the calling script (its --help).
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }

# Serialize concurrent invocations on lock file $1 (fd 9; closed for the daemons the scripts launch).
take_lock() { # lockfile
    mkdir -p "$(dirname "$1")"
    exec 9>"$1"
    if command -v flock >/dev/null 2>&1; then
        flock -w 300 9 || die "could not get lock $1"
    fi
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

require_free_port() { # port what
    if port_open "$1"; then
        die "port $1 ($2) is already used by another process. $(ss -ltnp 2>/dev/null | grep ":$1 " || true)"
    fi
}

pid_alive() { # pidfile
    local pid
    [ -s "$1" ] || return 1
    pid="$(tr -dc '0-9' <"$1")"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

pid_of() { tr -dc '0-9' 2>/dev/null <"$1" || true; }

# A server whose pid file is alive although the server does not answer: kill it.
kill_unanswering() { # pidfile what
    pid_alive "$1" || return 0
    warn "$2 pid $(pid_of "$1") exists but does not answer; killing it"
    kill -9 "$(pid_of "$1")" 2>/dev/null || true
    sleep 1
}

# Wait for the process of a pid file to exit after it was asked to stop; kill it after $2 seconds.
wait_exit() { # pidfile seconds what
    local deadline=$(( $(now) + $2 ))
    while pid_alive "$1"; do
        if [ "$(now)" -ge "$deadline" ]; then
            warn "$3 did not stop in $2s; killing it"
            kill -9 "$(pid_of "$1")" 2>/dev/null || true
            sleep 0.5
            return 0
        fi
        sleep 0.2
    done
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root or sudo to run: $*"
    fi
}

# apt-get install exactly the packages given; nothing at all when none is.
install_packages() { # package...
    [ "$#" -gt 0 ] || return 0
    log "installing missing packages: $*"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}
