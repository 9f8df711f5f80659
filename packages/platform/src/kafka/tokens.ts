export const KAFKA = Symbol('KAFKA');
export const PUBLISHER = Symbol('PUBLISHER');
export const REDIS_CLUSTER = Symbol('REDIS_CLUSTER');
