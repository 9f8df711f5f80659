# Sourced by start.sh and test.sh: bring the local stack up, and on exit stop it again only if it was
# entirely down before (so a stack someone else started is left as it was).
# shellcheck shell=bash
stack_parts_up() {
  bash scripts/stack/stack.sh status --json 2>/dev/null | node -e '
    const s = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const oks = [s.postgres.primary.ok, s.postgres.replica.ok, s.redis.ok, s.kafka.ok, s.emulator.ok];
    console.log(oks.filter(Boolean).length);'
}

stack_guard_up() {
  STACK_WAS_DOWN=0
  [ "$(stack_parts_up)" = 0 ] && STACK_WAS_DOWN=1
  bash scripts/stack/stack.sh up
}

stack_guard_down() {
  if [ "${STACK_WAS_DOWN:-0}" = 1 ]; then bash scripts/stack/stack.sh down; fi
}
