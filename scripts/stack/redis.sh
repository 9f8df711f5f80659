# A 6-node Redis cluster (3 masters + 3 replicas). Sourced by stack.sh.
# shellcheck shell=bash

read -r -a REDIS_PORTS <<<"$STACK_REDIS_PORTS"

redis_ensure_installed() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return 0
  apt_install redis-server redis-tools
}

redis_dir() { printf '%s/redis/%s' "$DATA_DIR" "$1"; }
redis_pidfile() { printf '%s/redis.pid' "$(redis_dir "$1")"; }
# redis-server rewrites its argv to "redis-server 127.0.0.1:PORT [cluster]", which is what we match.
redis_alive() { pid_alive "$(redis_pidfile "$1")" "redis-server $HOST:$1"; }
rcli() { local port=$1; shift; redis-cli -h "$HOST" -p "$port" "$@"; }

redis_info_field() { rcli "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"; }

redis_start_node() {
  local port=$1 dir
  dir=$(redis_dir "$port")
  redis_alive "$port" && return 0
  # Our node lost its pid file: Redis runs with its data dir as working directory, which identifies it.
  local pid
  pid=$(rcli "$port" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p')
  if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$dir" ]; then
    echo "$pid" >"$(redis_pidfile "$port")"
    return 0
  fi
  # Each node also listens on port+10000, its cluster bus.
  if port_open "$port" || port_open $((port + 10000)); then
    say "redis: port $port or its cluster bus port $((port + 10000)) is taken by another process (override STACK_REDIS_PORTS)"
    return 1
  fi
  mkdir -p "$dir"
  # Regenerated on every start so a changed port list or timeout applies; the cluster state itself
  # lives in nodes.conf, which Redis owns and which lets a restarted node rejoin on its own.
  cat >"$dir/redis.conf" <<CONF
bind $HOST
port $port
dir $dir
daemonize yes
pidfile $dir/redis.pid
logfile $LOG_DIR/redis-$port.log
cluster-enabled yes
cluster-config-file nodes.conf
cluster-node-timeout 3000
# A replica that lost its master long ago still takes over: tests kill masters and expect failover,
# and a dev stack prefers availability to the freshest data.
cluster-replica-validity-factor 0
# Sync replicas at once instead of waiting 5 s for more of them, so a restarted cluster can fail
# over within seconds.
repl-diskless-sync-delay 0
# A failed master stops only its own slots, not the whole cluster: with full coverage required, every
# node answers CLUSTERDOWN to every command from the moment the master is marked failed until its
# replica is promoted (about a second), so no session could be checked anywhere.
cluster-require-full-coverage no
appendonly yes
CONF
  (without_inherited_fds redis-server "$dir/redis.conf" >>"$LOG_DIR/redis-$port.log" 2>&1)
}

redis_node_ready() { [ "$(rcli "$1" ping 2>/dev/null)" = PONG ]; }

redis_cluster_ok() {
  local port
  for port in "${REDIS_PORTS[@]}"; do
    [ "$(redis_info_field "$port" cluster_state)" = ok ] || return 1
    [ "$(redis_info_field "$port" cluster_known_nodes)" = "${#REDIS_PORTS[@]}" ] || return 1
  done
}

# `up` also waits for every replica to have synced: until then a master that dies has no replica
# able to take over.
redis_replicas_synced() {
  local port info
  for port in "${REDIS_PORTS[@]}"; do
    info=$(rcli "$port" info replication 2>/dev/null | tr -d '\r')
    grep -q '^role:slave' <<<"$info" || continue
    grep -q '^master_link_status:up' <<<"$info" || return 1
  done
}

# "fresh" when no node knows any other and no slot is assigned: only then may we create the cluster.
# Creating over an existing one would be refused anyway, and a half-formed state needs a person.
redis_cluster_shape() {
  local port known slots fresh=0 total=${#REDIS_PORTS[@]}
  for port in "${REDIS_PORTS[@]}"; do
    known=$(redis_info_field "$port" cluster_known_nodes)
    slots=$(redis_info_field "$port" cluster_slots_assigned)
    [ "$known" = 1 ] && [ "$slots" = 0 ] && fresh=$((fresh + 1))
  done
  if [ "$fresh" = "$total" ]; then echo fresh
  elif [ "$fresh" = 0 ]; then echo formed
  else echo mixed
  fi
}

redis_up() {
  redis_ensure_installed || return 1
  local port logs=() addrs=()
  for port in "${REDIS_PORTS[@]}"; do
    logs+=("$LOG_DIR/redis-$port.log")
    addrs+=("$HOST:$port")
    redis_start_node "$port" || { say "redis: node $port failed to start"; log_tail "$LOG_DIR/redis-$port.log"; return 1; }
  done
  for port in "${REDIS_PORTS[@]}"; do
    wait_until 30 redis_node_ready "$port" || { say "redis: node $port does not answer PING"; log_tail "$LOG_DIR/redis-$port.log"; return 1; }
  done
  case $(redis_cluster_shape) in
    fresh)
      say "  redis: creating the cluster"
      redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes >>"$LOG_DIR/redis-cluster-create.log" 2>&1 \
        || { say "redis: cluster create failed"; log_tail "$LOG_DIR/redis-cluster-create.log"; return 1; } ;;
    mixed)
      say "redis: some nodes are in the cluster and some are blank (a wiped .data/redis/<port>?)."
      say "       Run 'bash scripts/stack/stack.sh reset' to rebuild the stack's data."
      return 1 ;;
  esac
  # Settings that can change at run time are applied to running nodes too, so `up` converges an old stack.
  for port in "${REDIS_PORTS[@]}"; do
    rcli "$port" config set cluster-require-full-coverage no >/dev/null \
      || { say "redis: node $port refused CONFIG SET"; return 1; }
  done
  # Generous: a node that just rejoined needs a few gossip rounds (node timeout 3 s) to see everyone.
  if ! wait_until 60 redis_cluster_ok || ! wait_until 30 redis_replicas_synced; then
    say "redis: cluster did not reach cluster_state:ok with ${#REDIS_PORTS[@]} nodes and synced replicas"
    rcli "${REDIS_PORTS[0]}" cluster nodes >&2 || true
    log_tail "${logs[@]}"; return 1
  fi
  say "redis     ok   cluster ${addrs[*]}"
}

redis_down() {
  local port pids=()
  # In parallel: each node exits in milliseconds, but six sequential waits still add up.
  for port in "${REDIS_PORTS[@]}"; do
    if redis_alive "$port"; then
      stop_pid "$(redis_pidfile "$port")" "redis-server $HOST:$port" 30 &
      pids+=($!)
    fi
  done
  [ "${#pids[@]}" = 0 ] && return 0
  wait "${pids[@]}"
  say "redis     stopped ${#pids[@]} node(s)"
}

redis_ok() { command -v redis-cli >/dev/null && redis_cluster_ok; }
