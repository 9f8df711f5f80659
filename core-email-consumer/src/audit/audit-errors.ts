import { GraphError } from '@microsoft/microsoft-graph-client';
/** What the audit record says about a failure: never a token, never Graph's whole answer. */
export function describeError(error: unknown): string {
  if (error instanceof GraphError) return `graph_error: ${error.statusCode} ${error.code ?? ''}`.trim();
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 500) : 'unknown error';
}
