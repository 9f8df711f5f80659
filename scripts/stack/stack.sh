#!/usr/bin/env bash
# The native local stack: PostgreSQL primary + replica, a 6-node Redis cluster, a KRaft Kafka broker and
# the Graph emulator. Usage: stack.sh up | down | status [--json] | reset. See README.md beside this file.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$STACK_DIR/pg.sh"
source "$STACK_DIR/redis.sh"
source "$STACK_DIR/kafka.sh"
source "$STACK_DIR/emulator.sh"

# One up/down/reset at a time: test runners may call `up` concurrently. Every daemon is launched with
# fd 9 closed, so the lock dies with this script and never with a long-lived server.
take_lock() {
  ensure_dirs
  exec 9>"$RUN_DIR/stack.lock"
  flock -w 300 9 || { say "stack: another stack.sh holds $RUN_DIR/stack.lock"; exit 1; }
}

cmd_up() {
  take_lock
  local t0=$SECONDS failed=()
  # Kafka's JVM is the slowest part, so it boots while PostgreSQL and Redis come up.
  kafka_start || failed+=(kafka)
  emulator_start || failed+=(emulator)
  pg_up || failed+=(postgres)
  redis_up || failed+=(redis)
  [[ " ${failed[*]} " == *" kafka "* ]] || kafka_wait || failed+=(kafka)
  [[ " ${failed[*]} " == *" emulator "* ]] || emulator_wait || failed+=(emulator)
  if [ "${#failed[@]}" -gt 0 ]; then
    say "stack: FAILED: ${failed[*]} (logs in $LOG_DIR)"
    exit 1
  fi
  say "stack: up in $((SECONDS - t0))s"
}

cmd_down() {
  take_lock
  emulator_down
  kafka_down
  redis_down
  pg_down
  say "stack: down (data kept in $DATA_DIR)"
}

cmd_reset() {
  cmd_down
  local pg_target=""
  [ -L "$DATA_DIR/pg" ] && pg_target=$(readlink -f "$DATA_DIR/pg")
  say "stack: deleting $DATA_DIR/pg $DATA_DIR/redis $DATA_DIR/kafka ${pg_target}"
  rm -rf "$DATA_DIR/pg" "$DATA_DIR/redis" "$DATA_DIR/kafka" ${pg_target:+"$pg_target"}
}

bool() { if "$@" >/dev/null 2>&1; then echo true; else echo false; fi; }

cmd_status() {
  local json=0
  [ "${1:-}" = --json ] && json=1
  PG_BIN=$(pg_bin_dir) || PG_BIN=""
  local pg_p pg_r redis kafka emu port nodes="" sep=""
  pg_p=$(bool pg_ok_primary)
  pg_r=$(bool pg_ok_replica)
  redis=$(bool redis_ok)
  kafka=$(bool kafka_ok)
  emu=$(bool emulator_ok)
  if [ "$json" = 1 ]; then
    for port in "${REDIS_PORTS[@]}"; do
      nodes+="$sep{\"host\":\"$HOST\",\"port\":$port}"; sep=","
    done
    printf '{"postgres":{"primary":{"host":"%s","port":%s,"ok":%s},"replica":{"host":"%s","port":%s,"ok":%s}},' \
      "$HOST" "$STACK_PG_PRIMARY_PORT" "$pg_p" "$HOST" "$STACK_PG_REPLICA_PORT" "$pg_r"
    printf '"redis":{"nodes":[%s],"ok":%s},"kafka":{"brokers":["%s"],"ok":%s},"emulator":{"url":"%s","ok":%s}}\n' \
      "$nodes" "$redis" "$KAFKA_BROKER" "$kafka" "$EMULATOR_URL" "$emu"
    return 0
  fi
  local fmt='%-18s %-48s %s\n'
  # shellcheck disable=SC2059
  {
    printf "$fmt" PART ADDRESS OK
    printf "$fmt" postgres-primary "$HOST:$STACK_PG_PRIMARY_PORT" "$pg_p"
    printf "$fmt" postgres-replica "$HOST:$STACK_PG_REPLICA_PORT" "$pg_r"
    printf "$fmt" redis-cluster "$HOST:{$(IFS=,; echo "${REDIS_PORTS[*]}")}" "$redis"
    printf "$fmt" kafka "$KAFKA_BROKER" "$kafka"
    printf "$fmt" emulator "$EMULATOR_URL" "$emu"
  }
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) shift; cmd_status "$@" ;;
  reset) cmd_reset ;;
  *) say "usage: $0 up | down | status [--json] | reset   (reset deletes the stack's data)"; exit 2 ;;
esac
