export const REDIS_CLUSTER = Symbol('REDIS_CLUSTER');
