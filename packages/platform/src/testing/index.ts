// The helpers the tests and benchmarks of every package share, as @core-email/platform/testing. Never
// imported by application code: stack-env holds the local stack's test secrets.
export * from './capture';
export * from './child-start';
export * from './emulator-control';
export * from './emulator-process';
export * from './emulator-sign-in';
export * from './event-stream';
export * from './http';
export * from './kafka';
export * from './mailbox';
export * from './stack-env';
