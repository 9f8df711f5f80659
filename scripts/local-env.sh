# Sourced by `npm start` and `npm test` (after the emulator's CA exists): points the services at the local
# stack (scripts/stack) and the graph emulator. Variables already set in the environment win, so any of them can be overridden.
# shellcheck shell=bash
: "${STACK_PG_PRIMARY_PORT:=55432}" "${STACK_PG_REPLICA_PORT:=55433}" "${STACK_KAFKA_PORT:=19092}"
: "${STACK_REDIS_PORTS:=17001 17002 17003 17004 17005 17006}" "${STACK_EMULATOR_PORT:=8443}"
_redis_nodes=$(for p in $STACK_REDIS_PORTS; do printf '127.0.0.1:%s,' "$p"; done)
export DB_PRIMARY_URL="${DB_PRIMARY_URL:-postgres://core_email:core_email@127.0.0.1:$STACK_PG_PRIMARY_PORT/core_email}"
export DB_REPLICA_URLS="${DB_REPLICA_URLS:-postgres://core_email:core_email@127.0.0.1:$STACK_PG_REPLICA_PORT/core_email}"
export REDIS_CLUSTER_NODES="${REDIS_CLUSTER_NODES:-${_redis_nodes%,}}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:$STACK_KAFKA_PORT}"
# Node reads one extra CA file: the emulator's CA, bundled with any file the environment already names.
_ca_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.data/emulator/ca"
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ "$NODE_EXTRA_CA_CERTS" != "$_ca_dir/ca.pem" ] &&
  [ "$NODE_EXTRA_CA_CERTS" != "$_ca_dir/bundle.pem" ] && [ -f "$_ca_dir/ca.pem" ]; then
  cat "$NODE_EXTRA_CA_CERTS" "$_ca_dir/ca.pem" >"$_ca_dir/bundle.pem"
  export NODE_EXTRA_CA_CERTS="$_ca_dir/bundle.pem"
elif [ "${NODE_EXTRA_CA_CERTS:-}" != "$_ca_dir/bundle.pem" ]; then
  export NODE_EXTRA_CA_CERTS="$_ca_dir/ca.pem"
fi
export KAFKAJS_NO_PARTITIONER_WARNING=1

# Microsoft = the graph emulator's default app registration (graph-emulator/README.md).
export MS_AUTHORITY="${MS_AUTHORITY:-https://localhost:$STACK_EMULATOR_PORT/9188040d-6c67-4c5b-b112-36a304b66dad}"
export MS_KNOWN_AUTHORITIES="${MS_KNOWN_AUTHORITIES:-localhost:$STACK_EMULATOR_PORT}"
export MS_CLIENT_ID="${MS_CLIENT_ID:-6731de76-14a6-49ae-97bc-6eba6914391e}"
export MS_CLIENT_SECRET="${MS_CLIENT_SECRET:-emulator-client-secret}"
export GRAPH_BASE_URL="${GRAPH_BASE_URL:-https://localhost:$STACK_EMULATOR_PORT/v1.0}"

# Local secrets, made once per checkout and kept under .data/ (never committed).
_secrets="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.data/local-secrets.env"
if [ ! -f "$_secrets" ]; then
  mkdir -p "$(dirname "$_secrets")"
  (umask 077 && printf 'JWT_SECRET=%s\nTOKEN_ENCRYPTION_KEYS=local-1:%s\n' \
    "$(openssl rand -hex 32)" "$(openssl rand -base64 32)" >"$_secrets")
fi
while IFS='=' read -r _name _value; do
  [ -n "${!_name:-}" ] || export "$_name=$_value"
done <"$_secrets"
unset _secrets _name _value
unset _redis_nodes _ca_dir
