import type { NextFunction, Request, Response } from 'express';
import { webhookMetrics } from './webhook-metrics';

/** Graph batches at most a few hundred small items; 1 MB is ample and bounds what a stranger can make us hold. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

/** The webhook request with its body as read by {@link webhookBodyReader}. */
export type WebhookRequest = Request & { rawBody?: Buffer };

/**
 * Reads the webhook's body as raw bytes with its own limit, registered before the app's JSON parser (which
 * then skips the request: body-parser leaves a finished request alone). Raw bytes let the controller tell
 * an empty handshake from a notification and parse JSON strictly itself. An oversized body ends the request
 * here with a bare 413, as soon as the limit is passed (declared or counted), without reading the rest.
 */
export function webhookBodyReader(req: WebhookRequest, res: Response, next: NextFunction): void {
  const tooLarge = () => {
    webhookMetrics.drop('too_large');
    res.setHeader('Connection', 'close');
    res.status(413).end();
  };
  if (Number(req.headers['content-length'] ?? 0) > WEBHOOK_BODY_LIMIT_BYTES) return tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  req.on('data', (chunk: Buffer) => {
    if (done) return;
    size += chunk.length;
    if (size > WEBHOOK_BODY_LIMIT_BYTES) {
      done = true;
      req.pause();
      return tooLarge();
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (done) return;
    done = true;
    req.rawBody = Buffer.concat(chunks);
    next();
  });
  req.on('error', () => {
    if (done) return;
    done = true;
    res.status(400).end();
  });
}
