# The Microsoft identity platform + Graph emulator (graph-emulator/), when it has been built.
# Sourced by stack.sh.
# shellcheck shell=bash

EMULATOR_MAIN="$REPO_ROOT/graph-emulator/dist/src/main.js"
EMULATOR_PIDFILE="$RUN_DIR/emulator.pid"
EMULATOR_LOG="$LOG_DIR/emulator.log"
# localhost, not 127.0.0.1: the emulator's certificate and the OAuth redirect URIs are issued for it.
EMULATOR_URL="https://localhost:$STACK_EMULATOR_PORT"

emulator_alive() { pid_alive "$EMULATOR_PIDFILE" "$EMULATOR_MAIN"; }

emulator_healthy() {
  [ "$(curl -sk -o /dev/null -m 3 -w '%{http_code}' "https://$HOST:$STACK_EMULATOR_PORT/__emulator/health")" = 200 ]
}

emulator_start() {
  EMULATOR_SKIPPED=0
  if [ ! -f "$EMULATOR_MAIN" ]; then EMULATOR_SKIPPED=1; return 0; fi
  emulator_alive && return 0
  rm -f "$EMULATOR_PIDFILE"
  local pid
  if pid=$(find_pid "node $EMULATOR_MAIN"); then
    echo "$pid" >"$EMULATOR_PIDFILE"
    return 0
  fi
  # Someone may run `npm run emulator` by hand while developing it; use theirs rather than fail.
  if emulator_healthy; then EMULATOR_FOREIGN=1; return 0; fi
  if port_open "$STACK_EMULATOR_PORT"; then
    say "emulator: port $STACK_EMULATOR_PORT is taken by another process (override STACK_EMULATOR_PORT)"; return 1
  fi
  mkdir -p "$DATA_DIR/emulator"
  printf '\n==== %s starting emulator ====\n' "$(date -Is)" >>"$EMULATOR_LOG"
  EMULATOR_PORT="$STACK_EMULATOR_PORT" EMULATOR_DATA_DIR="$DATA_DIR/emulator" EMULATOR_ALLOW_HTTP_NOTIFICATIONS=true \
    without_inherited_fds setsid node "$EMULATOR_MAIN" >>"$EMULATOR_LOG" 2>&1 </dev/null &
  echo $! >"$EMULATOR_PIDFILE"
}

emulator_wait() {
  if [ "${EMULATOR_SKIPPED:-0}" = 1 ]; then
    say "emulator  --   skipped: graph-emulator/dist/src/main.js is not built (npm run build:ts)"
    return 0
  fi
  if [ "${EMULATOR_FOREIGN:-0}" = 1 ]; then
    say "emulator  ok   $EMULATOR_URL (a process the stack did not start; left alone by down)"
    return 0
  fi
  local deadline=$((SECONDS + 60))
  until emulator_healthy; do
    if ! emulator_alive; then say "emulator: exited during start-up"; log_tail "$EMULATOR_LOG"; return 1; fi
    if [ "$SECONDS" -ge "$deadline" ]; then say "emulator: not healthy after 60s"; log_tail "$EMULATOR_LOG"; return 1; fi
    sleep 0.5
  done
  say "emulator  ok   $EMULATOR_URL"
}

emulator_down() {
  if emulator_alive; then
    stop_pid "$EMULATOR_PIDFILE" "$EMULATOR_MAIN" 15
    say "emulator  stopped"
  fi
  rm -f "$EMULATOR_PIDFILE"
}

emulator_ok() { emulator_healthy; }
