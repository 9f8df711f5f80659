# Shared helpers for the local stack scripts. Sourced, never executed.
# shellcheck shell=bash

STACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$STACK_DIR/../.." && pwd)"
DATA_DIR="$REPO_ROOT/.data"
LOG_DIR="$DATA_DIR/logs"
RUN_DIR="$DATA_DIR/run"

STACK_PG_PRIMARY_PORT="${STACK_PG_PRIMARY_PORT:-55432}"
STACK_PG_REPLICA_PORT="${STACK_PG_REPLICA_PORT:-55433}"
STACK_REDIS_PORTS="${STACK_REDIS_PORTS:-17001 17002 17003 17004 17005 17006}"
STACK_KAFKA_PORT="${STACK_KAFKA_PORT:-19092}"
STACK_KAFKA_CONTROLLER_PORT="${STACK_KAFKA_CONTROLLER_PORT:-19093}"
STACK_EMULATOR_PORT="${STACK_EMULATOR_PORT:-8443}"
HOST=127.0.0.1

# Everything that prints progress goes to stderr, so `status --json` can own stdout alone.
say() { printf '%s\n' "$*" >&2; }

is_root() { [ "$(id -u)" -eq 0 ]; }

ensure_dirs() { mkdir -p "$LOG_DIR" "$RUN_DIR"; }

# The last lines of a part's log, so a failed `up` explains itself without a second command.
log_tail() {
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    say "---- last lines of $f ----"
    tail -n 40 "$f" >&2
  done
}

# Runs a server without the files the caller had open beyond stdin, stdout and stderr: `flock <lock> npm test`, or a
# test runner's pipe, would otherwise stay held by the server for as long as it runs (a lock never released, a pipe
# never closed). It closes them in the current shell and then becomes the command, so call it as a background job
# (`without_inherited_fds setsid server &`: `$!` is then the server's pid) or inside a subshell
# (`(without_inherited_fds server)`), never in the script's own shell (its lock on fd 9 must stay).
without_inherited_fds() {
  local me=$BASHPID fd
  for fd in $(ls "/proc/$me/fd"); do
    [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null
  done
  # A shell function (as_pg) cannot be exec'd; it runs here, in the caller's subshell.
  if [ "$(type -t "$1")" = function ]; then "$@"; else exec "$@"; fi
}

# True when something accepts TCP connections on the port (ours or a stranger's).
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# A pid is ours only if the process is alive AND is the program we started: after a reboot or a crash
# the pid may belong to something else, and we must never signal that. A zombie (exited, not yet reaped
# by init) has an empty cmdline, so it counts as gone, which `kill -0` would not.
pid_is() {
  local pid=$1 pattern=$2 cmd
  [[ $pid =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmd == *"$pattern"* ]]
}

pid_gone() { ! pid_is "$1" "$2"; }

pid_alive() {
  local pidfile=$1 pattern=$2
  [ -s "$pidfile" ] && pid_is "$(cat "$pidfile" 2>/dev/null)" "$pattern"
}

# Finds our own process when its pid file was lost (deleted by hand, overwritten): the pattern holds
# this checkout's absolute paths, so a match is ours and not a guess. Slow-ish, so only used when the
# port turns out to be taken.
find_pid() {
  local pattern=$1 p
  for p in /proc/[0-9]*; do
    pid_is "${p#/proc/}" "$pattern" && { echo "${p#/proc/}"; return 0; }
  done
  return 1
}

# Polls a command until it succeeds or the deadline passes.
wait_until() {
  local timeout=$1; shift
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# TERM, wait for a clean exit (Kafka and Redis flush on TERM), KILL only as a last resort.
stop_pid() {
  local pidfile=$1 pattern=$2 timeout=${3:-30} pid
  if ! pid_alive "$pidfile" "$pattern"; then rm -f "$pidfile"; return 0; fi
  pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_until "$timeout" pid_gone "$pid" "$pattern"; then
    say "  pid $pid did not stop in ${timeout}s, killing it"
    kill -KILL "$pid" 2>/dev/null || true
    wait_until 10 pid_gone "$pid" "$pattern" || true
  fi
  rm -f "$pidfile"
}

# Distro packages are a fallback for bare machines; never reached when the tools are already there.
APT_UPDATED=0
apt_install() {
  local sudo=()
  is_root || sudo=(sudo)
  say "  installing $* with apt-get"
  if [ "$APT_UPDATED" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -qq >&2
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >&2
}
