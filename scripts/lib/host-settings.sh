# The host's settings for the servers these scripts start, when their ports are not the defaults (ORDERSYSTEM_DB_PORT,
# ORDERSYSTEM_AMQP_PORT, ORDERSYSTEM_RABBIT_MGMT_PORT, ORDERSYSTEM_REDIS_PORT, ORDERSYSTEM_SIMULATOR_PORT): without them the host, the tests and
# the benchmark would read appsettings.json and talk to the servers on the default ports, someone else's or none.
# A setting given in the environment (ConnectionStrings__OrderSystem, RabbitMq__Port, ...) is kept as it is.
# shellcheck shell=bash

export_host_settings() { # repo root
    local appsettings="$1/appsettings.json" connection
    if [ -n "${ORDERSYSTEM_DB_PORT:-}" ] && [ -z "${ConnectionStrings__OrderSystem:-}" ]; then
        connection="$(sed -n 's/.*"OrderSystem": *"\([^"]*\)".*/\1/p' "$appsettings" | head -n 1)"
        export ConnectionStrings__OrderSystem="${connection/Port=3316/Port=$ORDERSYSTEM_DB_PORT}"
    fi
    if [ -n "${ORDERSYSTEM_REDIS_PORT:-}" ] && [ -z "${ConnectionStrings__Redis:-}" ]; then
        connection="$(sed -n 's/.*"Redis": *"\([^"]*\)".*/\1/p' "$appsettings" | head -n 1)"
        export ConnectionStrings__Redis="${connection/6390/$ORDERSYSTEM_REDIS_PORT}"
    fi
    if [ -n "${ORDERSYSTEM_AMQP_PORT:-}" ]; then
        export RabbitMq__Port="${RabbitMq__Port:-$ORDERSYSTEM_AMQP_PORT}"
    fi
    if [ -n "${ORDERSYSTEM_RABBIT_MGMT_PORT:-}" ]; then
        export RabbitMq__ManagementUrl="${RabbitMq__ManagementUrl:-http://127.0.0.1:$ORDERSYSTEM_RABBIT_MGMT_PORT}"
    fi
    export ThirdParties__BaseUrl="${ThirdParties__BaseUrl:-http://127.0.0.1:${ORDERSYSTEM_SIMULATOR_PORT:-5089}}"
}
