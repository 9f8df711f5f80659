import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { DependencyUnavailable } from '../errors/dependency-unavailable';
import { TooManyRequests } from '../errors/too-many-requests';
import { isDatabaseUnreachable, POSTGRES_RETRY_AFTER_SECONDS } from '../database/database-unreachable';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  errorId?: string;
  /** On a 503 for a dependency that cannot be reached: which one (`redis`, `kafka`, ...). */
  dependency?: string;
}

/**
 * The one place errors become HTTP answers. A 4xx says what was wrong with the request; a 5xx says only
 * that something failed and gives an id to find the full error in the logs, never its message. A
 * DependencyUnavailable, or a PostgreSQL that cannot be reached, is a 503 with `Retry-After` naming the
 * dependency (a fault of ours to wait out, not a bug: logged as a warning).
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly log = new Logger('HTTP');

  catch(thrown: unknown, host: ArgumentsHost): void {
    // PostgreSQL restarting or out of reach is an outage to wait out, whichever query met it.
    const exception = isDatabaseUnreachable(thrown)
      ? new DependencyUnavailable('postgres', POSTGRES_RETRY_AFTER_SECONDS, { cause: thrown })
      : thrown;
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const body = this.toBody(exception, req);
    if (res.headersSent) return;
    if (exception instanceof DependencyUnavailable || exception instanceof TooManyRequests)
      res.setHeader('Retry-After', String(exception.retryAfterSeconds));
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, req: Request): ErrorBody {
    if (exception instanceof DependencyUnavailable) {
      const status = HttpStatus.SERVICE_UNAVAILABLE;
      const { dependency, retryAfterSeconds } = exception;
      this.log.warn(
        { dependency, method: req.method, path: req.path, err: exception.cause },
        `${dependency} unavailable; answered 503`,
      );
      return {
        statusCode: status,
        error: 'Service Unavailable',
        message: `${dependency} is unavailable; retry in ${retryAfterSeconds} s`,
        dependency,
      };
    }
    if (exception instanceof HttpException) {
      // Thrown on purpose (a 4xx, or a deliberate 503 such as the health report): its body is the answer.
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null)
        return { statusCode: status, ...response } as ErrorBody;
      return { statusCode: status, error: HttpStatus[status] ?? 'Error', message: response };
    }
    const bodyParserStatus = (exception as { status?: number; type?: string }).status;
    if (typeof bodyParserStatus === 'number' && bodyParserStatus >= 400 && bodyParserStatus < 500) {
      // express's body parser: malformed JSON, a body over the limit, an unsupported charset.
      return {
        statusCode: bodyParserStatus,
        error: HttpStatus[bodyParserStatus] ?? 'Error',
        message: (exception as Error).message,
      };
    }
    const errorId = randomUUID();
    const status = HttpStatus.INTERNAL_SERVER_ERROR;
    this.log.error({ errorId, method: req.method, path: req.path, err: exception }, 'request failed');
    return { statusCode: status, error: HttpStatus[status] ?? 'Error', message: 'internal error', errorId };
  }
}
