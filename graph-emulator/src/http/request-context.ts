// Per-request ids, echoed the way Graph does (request-id, client-request-id) and used in error bodies.
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export function requestIds(req: Request, res: Response, next: NextFunction): void {
  const requestId = randomUUID();
  const clientHeader = req.header('client-request-id');
  const clientRequestId = clientHeader && clientHeader.length <= 100 ? clientHeader : requestId;
  res.locals.requestId = requestId;
  res.locals.clientRequestId = clientRequestId;
  res.setHeader('request-id', requestId);
  res.setHeader('client-request-id', clientRequestId);
  next();
}

/** Graph's innerError date: ISO 8601 without the trailing Z or milliseconds. */
export function graphDate(now = new Date()): string {
  return now.toISOString().slice(0, 19);
}
