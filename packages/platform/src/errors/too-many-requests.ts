import { HttpException, HttpStatus } from '@nestjs/common';

/** A 429 a service decides on (not the throttler guard's): the error filter adds its `Retry-After`. */
export class TooManyRequests extends HttpException {
  constructor(
    message: string,
    /** What `Retry-After` says, in whole seconds. */
    readonly retryAfterSeconds: number,
  ) {
    super({ error: 'Too Many Requests', message }, HttpStatus.TOO_MANY_REQUESTS);
  }
}
