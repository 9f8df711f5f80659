export const KAFKA = Symbol('KAFKA');
export const PUBLISHER = Symbol('PUBLISHER');
/** A client that fails fast instead of retrying: health checks must answer within their deadline. */
export const KAFKA_HEALTH = Symbol('KAFKA_HEALTH');
