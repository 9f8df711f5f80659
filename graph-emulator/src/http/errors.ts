// Typed errors. Handlers throw these; src/http/render-error.ts is the one place that turns them into
// Graph's error envelope, the AADSTS JSON of the token endpoint, or an HTML error page for the browser leg.

/** A Microsoft Graph error: rendered as {"error":{"code","message","innerError":{...}}}. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface AadErrorOptions {
  suberror?: string;
  /** Render as an HTML page (the browser leg of /authorize never gets JSON). */
  html?: boolean;
  /** Conditional Access challenge returned with interaction_required (msal passes it back as `claims`). */
  claims?: string;
  /** Response headers, e.g. Retry-After on a throttled token request. */
  headers?: Record<string, string>;
}

/** An Entra ID (AADSTS) error: rendered as {"error","error_description","error_codes",...}. */
export class AadError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly aadsts: number,
    description: string,
    readonly options: AadErrorOptions = {},
  ) {
    super(description);
  }
}

export const graphErrors = {
  notFound: () =>
    new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.'),
  folderNotFound: () =>
    new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.'),
  badRequest: (message: string) => new GraphError(400, 'BadRequest', message),
  invalidRequest: (message: string) => new GraphError(400, 'InvalidRequest', message),
  unknownProperty: (name: string, type = 'microsoft.graph.message') =>
    new GraphError(
      400,
      'RequestBroker--ParseUri',
      `Could not find a property named '${name}' on type '${type}'.`,
    ),
  noResource: (path: string) =>
    new GraphError(400, 'BadRequest', `Resource not found for the segment '${path}'.`),
  accessDenied: () =>
    new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.'),
  syncStateNotFound: (detail: string) =>
    new GraphError(410, 'SyncStateNotFound', `The sync state generation is not found; ${detail}`),
};
