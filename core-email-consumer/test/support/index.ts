// What the benchmarks use of the consumer's tests, as core-email-consumer/testing: processes, the stack's
// Kafka group, ground truth, and the few sync internals a benchmark measures on their own.
export * from './consumer-process';
export * from './ground-truth';
export * from './kafka-group';
export * from './producer-process';
export * from './sync-app';
export { parseDeltaPage } from '../../src/sync/graph/delta-page';
export { MESSAGE_SELECT } from '../../src/sync/graph/graph-schemas';
export { EMAIL_COLUMN_NAMES, emailRowsFrom } from '../../src/sync/repositories/emails.repository';
