/** How the Graph client reaches Microsoft (or the emulator) and how hard it may press one mailbox. */
export interface GraphClientSettings {
  /** GRAPH_BASE_URL, e.g. https://graph.microsoft.com/v1.0 */
  graphBaseUrl: string;
  /** Requests in flight per mailbox (Outlook allows 4 per app and mailbox). */
  maxConcurrency: number;
  /** Requests per mailbox per window, kept under Outlook's 10,000 per 10 minutes. */
  requestBudget: number;
  budgetWindowMs: number;
  /**
   * Throttled (429/503) or failed (500/502, network) answers one request may take before its error reaches
   * the caller; the waits double up to a minute, so the default 50 rides out a storm of most of an hour.
   */
  maxThrottleRetries: number;
  /** 504s one request may take before the caller sees it (a page that times out is made smaller). */
  maxGatewayTimeoutRetries: number;
  /** The largest Graph answer read into memory; larger ones are refused like a page that timed out. */
  maxResponseBytes: number;
}

/** What `Client.initWithMiddleware` needs, derived from GRAPH_BASE_URL alone (graph-protocol.md §0, §3). */
export interface GraphClientTarget {
  /** Origin with a trailing slash: the client appends `<version>/<path>`. */
  baseUrl: string;
  /** The first path segment, e.g. v1.0. */
  defaultVersion: string;
  /** Hostname only, no port: otherwise the client strips the Authorization header from our requests. */
  customHosts: Set<string>;
}

export function graphClientTarget(graphBaseUrl: string): GraphClientTarget {
  const url = new URL(graphBaseUrl);
  if (url.protocol !== 'https:') throw new Error('GRAPH_BASE_URL must be https (the graph client needs it)');
  const version = url.pathname.split('/').filter(Boolean)[0] ?? 'v1.0';
  return {
    baseUrl: `${url.origin}/`,
    defaultVersion: version,
    customHosts: new Set([url.hostname]),
  };
}
