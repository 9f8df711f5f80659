// The one error renderer. Everything a handler throws ends here; an unexpected error never echoes its
// message to the client.
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { log } from '../log';
import { AadError, GraphError } from './errors';
import { graphDate } from './request-context';

interface BodyParserError {
  type?: string;
  status?: number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function isIdentityPath(req: Request): boolean {
  return !req.path.startsWith('/v1.0') && !req.path.startsWith('/__emulator');
}

function malformedAadRequest(): AadError {
  return new AadError(
    400,
    'invalid_request',
    9002313,
    'AADSTS9002313: Invalid request. Request is malformed or invalid.',
  );
}

/** Maps body-parser and other library errors onto the typed errors. */
function normalise(err: unknown, req: Request): GraphError | AadError | undefined {
  if (err instanceof GraphError || err instanceof AadError) return err;
  const type = (err as BodyParserError | undefined)?.type;
  if (type === 'entity.parse.failed') {
    return isIdentityPath(req)
      ? malformedAadRequest()
      : new GraphError(
          400,
          'BadRequest',
          'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
        );
  }
  if (type === 'entity.too.large') {
    return isIdentityPath(req)
      ? new AadError(413, 'invalid_request', 90014, 'AADSTS90014: The request body is too large.')
      : new GraphError(413, 'RequestEntityTooLarge', 'The request body is too large.');
  }
  // Body-parser errors and the router's URIError for bad percent-encoding both carry a 4xx status.
  const status = (err as BodyParserError | undefined)?.status;
  if ((type || err instanceof URIError) && status !== undefined && status < 500) {
    return isIdentityPath(req)
      ? malformedAadRequest()
      : new GraphError(400, 'BadRequest', 'The request could not be read.');
  }
  return undefined;
}

export function renderAad(err: AadError, res: Response): void {
  const traceId = randomUUID();
  const correlationId = String(res.locals.clientRequestId ?? randomUUID());
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  const description = `${err.message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`;
  for (const [name, value] of Object.entries(err.options.headers ?? {})) res.setHeader(name, value);
  if (err.options.html) {
    res
      .status(err.status)
      .type('html')
      .send(
        `<!doctype html><html><head><title>Sign in to your account</title></head><body>` +
          `<h1>Sorry, but we're having trouble signing you in.</h1>` +
          `<p id="error-code">${escapeHtml(err.error)}</p><p id="error-description">${escapeHtml(description)}</p>` +
          `</body></html>`,
      );
    return;
  }
  res.status(err.status).json({
    error: err.error,
    error_description: description,
    error_codes: [err.aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${err.aadsts}`,
    ...(err.options.suberror ? { suberror: err.options.suberror } : {}),
    ...(err.options.claims ? { claims: err.options.claims } : {}),
  });
}

export function graphErrorBody(err: GraphError, res: Response): unknown {
  return {
    error: {
      code: err.code,
      message: err.message,
      innerError: {
        date: graphDate(),
        'request-id': res.locals.requestId ?? randomUUID(),
        'client-request-id': res.locals.clientRequestId ?? randomUUID(),
      },
    },
  };
}

export function renderGraph(err: GraphError, res: Response): void {
  for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
  res.status(err.status).json(graphErrorBody(err, res));
}

// Express recognises an error handler by its four parameters.
export function renderError(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const known = normalise(err, req);
  if (known instanceof AadError) return renderAad(known, res);
  if (known instanceof GraphError) return renderGraph(known, res);
  log.error('unhandled error', { path: req.path, err: err instanceof Error ? err.stack : String(err) });
  if (isIdentityPath(req)) {
    renderAad(
      new AadError(
        500,
        'server_error',
        90033,
        'AADSTS90033: A transient error has occurred. Please try again.',
      ),
      res,
    );
  } else {
    renderGraph(new GraphError(500, 'InternalServerError', 'An internal server error occurred.'), res);
  }
}
