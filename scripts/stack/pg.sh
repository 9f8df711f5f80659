# PostgreSQL primary + streaming hot standby. Sourced by stack.sh.
# shellcheck shell=bash

PG_USER=core_email
PG_PASSWORD=core_email
PG_REPL_USER=replicator
PG_REPL_PASSWORD=replicator
PG_SLOT=stack_replica

pg_bin_dir() {
  local initdb
  # The newest installed major version wins.
  initdb=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
  [ -x "$initdb" ] && dirname "$initdb"
}

pg_ensure_installed() {
  PG_BIN=$(pg_bin_dir) && return 0
  apt_install postgresql
  PG_BIN=$(pg_bin_dir) || { say "postgres: no initdb under /usr/lib/postgresql/*/bin after install"; return 1; }
}

# Postgres refuses to run as root, so as root every server-side binary runs as the postgres user.
as_pg() {
  # From / because the caller's directory may be one the postgres user cannot read.
  if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# The postgres user must be able to walk down to its data dir. A clone under a private home (e.g.
# /root, mode 700) would not allow that, so there the data lives in postgres's home and .data/pg is a
# symlink to it.
pg_root() {
  local dir="$DATA_DIR/pg"
  if is_root && [ ! -e "$dir" ] && ! runuser -u postgres -- test -x "$DATA_DIR"; then
    local alt
    alt="$(getent passwd postgres | cut -d: -f6)/core-email-stack/$(printf '%s' "$REPO_ROOT" | cksum | cut -d' ' -f1)/pg"
    mkdir -p "$alt" && chown -R postgres: "$(dirname "$alt")"
    ln -s "$alt" "$dir"
  fi
  mkdir -p "$dir"
  readlink -f "$dir"
}

pg_init_env() {
  [ -n "${PG_DIR:-}" ] && return 0
  PG_DIR=$(pg_root)
  PG_PRIMARY="$PG_DIR/primary"
  PG_REPLICA="$PG_DIR/replica"
  PG_SUPERPASS_FILE="$PG_DIR/superuser.password"
  is_root && chown postgres: "$PG_DIR"
  return 0
}

# Superuser access over TCP (there are no Unix sockets), used only for setup and diagnostics.
pg_super_psql() {
  PGPASSWORD=$(cat "$PG_SUPERPASS_FILE") "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$HOST" \
    -p "$STACK_PG_PRIMARY_PORT" -U postgres -d postgres "$@"
}

pg_ready() { "$PG_BIN/pg_isready" -q -h "$HOST" -p "$1" -t 2; }

pg_replica_in_recovery() {
  [ "$(PGPASSWORD=$PG_PASSWORD PGCONNECT_TIMEOUT=3 "$PG_BIN/psql" -X -tA -h "$HOST" -p "$STACK_PG_REPLICA_PORT" \
    -U "$PG_USER" -d core_email -c 'select pg_is_in_recovery()' 2>/dev/null)" = t ]
}

pg_running() { [ -f "$1/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" status -D "$1" >/dev/null 2>&1; }

pg_start() {
  local dir=$1 port=$2 log=$3
  pg_running "$dir" && return 0
  if port_open "$port"; then
    say "postgres: port $port is taken by another process (override STACK_PG_*_PORT)"; return 1
  fi
  # No -l: pg_ctl hands the server our already-open log file, so the postgres user never needs a path
  # into .data/logs.
  # glibc hands every allocation over 128 kB back to the kernel when it is freed, so a backend receiving a
  # sync page (a megabyte-sized JSON parameter, copied three times) faulted all of it in again for every
  # statement: half the cost of such a statement on a VM where page faults are slow. Kept on the heap
  # instead, the memory is reused by the next page (see docker-compose.pg.yml for the same setting).
  (without_inherited_fds as_pg env MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=67108864 \
    "$PG_BIN/pg_ctl" start -D "$dir" -w -t 90 -o "-p $port" >>"$log" 2>&1 </dev/null)
}

pg_initdb_primary() {
  say "  postgres: initdb $PG_PRIMARY"
  head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$PG_SUPERPASS_FILE"
  chmod 600 "$PG_SUPERPASS_FILE"
  local tmp; tmp=$(mktemp -d)
  install -m 600 "$PG_SUPERPASS_FILE" "$tmp/pw"
  if is_root; then chown -R postgres: "$tmp"; fi
  mkdir -p "$PG_PRIMARY" && chmod 700 "$PG_PRIMARY"
  is_root && chown postgres: "$PG_PRIMARY"
  as_pg "$PG_BIN/initdb" -D "$PG_PRIMARY" -U postgres --pwfile="$tmp/pw" --auth=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >>"$LOG_DIR/pg-primary.log" 2>&1
  rm -rf "$tmp"
  # Appended rather than edited, so the file still shows initdb's defaults above our choices.
  as_pg tee -a "$PG_PRIMARY/postgresql.conf" >/dev/null <<'CONF'

# ---- core-email local stack ----
listen_addresses = '127.0.0.1'
# TCP only: the default socket dir belongs to the system PostgreSQL and needs root to write.
unix_socket_directories = ''
max_connections = 200
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
# Queries on the standby are the app's read path; do not cancel them for vacuum on the primary.
hot_standby_feedback = on
password_encryption = scram-sha-256
CONF
  as_pg tee "$PG_PRIMARY/pg_hba.conf" >/dev/null <<CONF
# core-email local stack: password (SCRAM) auth over loopback TCP only.
# TYPE  DATABASE     USER             ADDRESS        METHOD
host    all          all              127.0.0.1/32   scram-sha-256
host    replication  $PG_REPL_USER    127.0.0.1/32   scram-sha-256
CONF
}

pg_bootstrap_roles() {
  pg_super_psql <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  END IF;
  -- lets the app's health checks and tests read pg_stat_replication
  GRANT pg_monitor TO $PG_USER;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_REPL_USER') THEN
    CREATE ROLE $PG_REPL_USER LOGIN REPLICATION PASSWORD '$PG_REPL_PASSWORD';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE core_email OWNER $PG_USER' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'core_email') \gexec
SQL
}

pg_basebackup_replica() {
  say "  postgres: pg_basebackup into $PG_REPLICA"
  # A slot left by an earlier replica would make -C fail; the new copy starts from a fresh slot anyway.
  pg_super_psql -c "SELECT pg_drop_replication_slot('$PG_SLOT') FROM pg_replication_slots WHERE slot_name = '$PG_SLOT'" >/dev/null
  rm -rf "$PG_REPLICA"
  mkdir -p "$PG_REPLICA" && chmod 700 "$PG_REPLICA"
  is_root && chown postgres: "$PG_REPLICA"
  # -C -S: a physical slot keeps the WAL the standby still needs while it is stopped.
  as_pg env PGPASSWORD="$PG_REPL_PASSWORD" "$PG_BIN/pg_basebackup" \
    -h "$HOST" -p "$STACK_PG_PRIMARY_PORT" -U "$PG_REPL_USER" -D "$PG_REPLICA" \
    -R -C -S "$PG_SLOT" -X stream -c fast >>"$LOG_DIR/pg-replica.log" 2>&1
}

# The standby learns the primary's address once, from pg_basebackup -R; keep it in step with
# STACK_PG_PRIMARY_PORT so overriding the port later does not strand the replica.
pg_sync_replica_conninfo() {
  as_pg sed -i -E "/^primary_conninfo/ s/port=[0-9]+/port=$STACK_PG_PRIMARY_PORT/" "$PG_REPLICA/postgresql.auto.conf"
}

pg_up() {
  pg_ensure_installed || return 1
  pg_init_env
  local fresh=0
  if [ ! -f "$PG_PRIMARY/PG_VERSION" ]; then
    rm -rf "$PG_PRIMARY" "$PG_REPLICA"
    pg_initdb_primary || { log_tail "$LOG_DIR/pg-primary.log"; return 1; }
    fresh=1
  fi
  pg_start "$PG_PRIMARY" "$STACK_PG_PRIMARY_PORT" "$LOG_DIR/pg-primary.log" \
    || { say "postgres: primary failed to start"; log_tail "$LOG_DIR/pg-primary.log"; return 1; }
  if [ "$fresh" = 1 ]; then
    pg_bootstrap_roles || { say "postgres: creating roles failed"; return 1; }
  fi
  if [ ! -f "$PG_REPLICA/standby.signal" ]; then
    pg_basebackup_replica || { say "postgres: pg_basebackup failed"; log_tail "$LOG_DIR/pg-replica.log"; return 1; }
  fi
  pg_sync_replica_conninfo
  pg_start "$PG_REPLICA" "$STACK_PG_REPLICA_PORT" "$LOG_DIR/pg-replica.log" \
    || { say "postgres: replica failed to start"; log_tail "$LOG_DIR/pg-replica.log"; return 1; }
  if ! wait_until 60 pg_replica_in_recovery; then
    say "postgres: replica is up but not a hot standby in recovery"; log_tail "$LOG_DIR/pg-replica.log"; return 1
  fi
  say "postgres  ok   primary $HOST:$STACK_PG_PRIMARY_PORT, replica $HOST:$STACK_PG_REPLICA_PORT (user/password/db core_email)"
}

pg_down() {
  PG_BIN=$(pg_bin_dir) || return 0
  [ -e "$DATA_DIR/pg" ] || return 0
  pg_init_env
  local dir
  # Standby first: a primary in fast shutdown waits for its walsenders, a standby never waits.
  for dir in "$PG_REPLICA" "$PG_PRIMARY"; do
    if pg_running "$dir"; then
      as_pg "$PG_BIN/pg_ctl" stop -D "$dir" -m fast -w -t 60 >/dev/null
      say "postgres  stopped $(basename "$dir")"
    fi
  done
}

pg_ok_primary() { [ -n "${PG_BIN:-}" ] && pg_ready "$STACK_PG_PRIMARY_PORT"; }
pg_ok_replica() { [ -n "${PG_BIN:-}" ] && pg_ready "$STACK_PG_REPLICA_PORT" && pg_replica_in_recovery; }
