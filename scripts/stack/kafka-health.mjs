// Exit 0 when a kafkajs admin can describe the cluster at the given brokers.
// Used by kafka.sh for readiness and status; kafkajs is what the apps use, so this is the check that
// matters (a listening port alone says nothing about the controller quorum being up).
// Usage: node kafka-health.mjs 127.0.0.1:19092[,more] [--timeout-ms N]
// Exit 2 (no point retrying) when kafkajs is not installed; exit 1 when the broker is not ready.
let kafkajs;
try {
  kafkajs = (await import('kafkajs')).default;
} catch {
  console.error('kafka-health: kafkajs is not installed; run `npm ci` at the repo root');
  process.exit(2);
}
const { Kafka, logLevel } = kafkajs;
const brokers = (process.argv[2] ?? '127.0.0.1:19092').split(',');
const i = process.argv.indexOf('--timeout-ms');
const timeoutMs = i > 0 ? Number(process.argv[i + 1]) : 5000;

// Nothing on stdout: `stack.sh status --json` must print exactly one JSON document.
const timer = setTimeout(() => {
  console.error('kafka-health: timed out');
  process.exit(1);
}, timeoutMs);

const admin = new Kafka({
  clientId: 'stack-health',
  brokers,
  logLevel: logLevel.NOTHING,
  connectionTimeout: 2000,
  requestTimeout: 3000,
  retry: { retries: 0 },
}).admin();

try {
  await admin.connect();
  const cluster = await admin.describeCluster();
  if (cluster.brokers.length < 1 || cluster.controller == null)
    throw new Error('no brokers or controller yet');
  await admin.disconnect();
  clearTimeout(timer);
  process.exit(0);
} catch (err) {
  console.error(`kafka-health: ${err.message}`);
  process.exit(1);
}
