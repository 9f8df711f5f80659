#!/usr/bin/env bash
# `npm start`: installs what is missing, builds, starts the local stack (PostgreSQL primary + replica,
# Redis cluster, Kafka, graph emulator), migrates, then runs the producer, the consumer and the dashboard
# until Ctrl-C, which stops them all (and the stack, if this command started it).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-install.sh
npm run -s build
source scripts/stack-guard.sh
stack_guard_up
node graph-emulator/dist/src/cli.js ensure-ca >/dev/null
source scripts/local-env.sh
npm run -s migrate

mkdir -p .data/logs
pids=()
run() { local name=$1; shift; "$@" > >(tee -a ".data/logs/$name.log") 2>&1 & pids+=($!); }
shutdown() {
  trap - INT TERM EXIT
  echo "stopping…" >&2
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  stack_guard_down
}
trap shutdown INT TERM EXIT

run producer node core-email-producer/dist/src/main.js
run consumer node core-email-consumer/dist/src/main.js
run frontend npm run -s -w core-email-frontend preview -- --host 127.0.0.1 --strictPort

cat >&2 <<MSG

  Core Email System is starting (logs also in .data/logs/):
    dashboard        http://localhost:4173
    API              http://localhost:${PORT:-3000}/api   (OpenAPI: http://localhost:${PORT:-3000}/api/docs)
    producer health  http://localhost:${PORT:-3000}/api/health
    consumer health  http://localhost:${HEALTH_PORT:-3001}/health
    graph emulator   https://localhost:${STACK_EMULATOR_PORT}   (demo mailbox demo@contoso.test / demo-password)
    Kafka            ${KAFKA_BROKERS}
  Ctrl-C stops everything.

MSG
wait -n "${pids[@]}"
echo "a service exited; see .data/logs/" >&2
