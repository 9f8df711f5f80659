export * from './topics';
export * from './messages';
export * from './codec';
export * from './zod-issues';
export * from './webhook-paths';
