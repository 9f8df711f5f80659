// Request bodies are hostile: a missing or non-object body, unknown fields and wrong types all become
// Graph's 400 with the message Graph's OData reader would give.
import type { Request } from 'express';
import type { z } from 'zod';
import { GraphError } from '../http/errors';

export function parseBody<T extends z.ZodTypeAny>(
  req: Request,
  schema: T,
  type = 'microsoft.graph.message',
): z.infer<T> {
  const body: unknown = req.body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new GraphError(400, 'BadRequest', 'Empty Payload. JSON content expected.');
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    throw new GraphError(
      400,
      'RequestBodyRead',
      `The property '${key}' does not exist on type '${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
    );
  }
  const where = issue.path.join('.') || 'body';
  throw new GraphError(400, 'RequestBodyRead', `Invalid value for property '${where}': ${issue.message}.`);
}
