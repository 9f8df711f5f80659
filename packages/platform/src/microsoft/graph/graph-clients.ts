import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  TelemetryHandler,
} from '@microsoft/microsoft-graph-client';
import type { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import type { MailboxTokens } from '../mailbox-tokens';
import { GraphClientSettings, graphClientTarget } from './graph-settings';
import type { GraphWaits } from './graph-waits';
import { MailboxGate, MailboxLimiters } from './mailbox-limiter';
import { MailboxThrottleHandler } from './mailbox-throttle.handler';
import { SharedMailboxLimits } from './shared-mailbox-limits';

/**
 * How long a client reuses its mailbox's access token without reading the row again (a pass's burst of
 * requests reads it once). Tokens are fresh for minutes more (MailboxTokens refreshes well before expiry);
 * short, so a long sync sees a disconnect within seconds.
 */
const TOKEN_REUSE_MS = 5_000;

/** Where the limits of every replica meet (without it, each process limits only its own requests). */
export interface SharedGraphLimits {
  redis: Cluster;
  /** Deadline of each limiter call to Redis; past it the process's own limiter decides for a few seconds. */
  redisTimeoutMs: number;
}

/**
 * Graph clients per mailbox, all behind that mailbox's one gate: in the Redis cluster when `shared` is
 * given (Graph's limits are per app and mailbox across all replicas), else in this process. Microsoft and
 * the emulator differ only in GRAPH_BASE_URL.
 */
export class GraphClients {
  private readonly gateOf: (userId: string) => MailboxGate;

  constructor(
    private readonly settings: GraphClientSettings,
    private readonly tokens: MailboxTokens,
    private readonly logger: Logger,
    shared?: SharedGraphLimits,
  ) {
    const { maxConcurrency, requestBudget: budget, budgetWindowMs: windowMs } = settings;
    if (shared) {
      const limits = new SharedMailboxLimits(
        shared.redis,
        { maxConcurrency, budget, windowMs, redisTimeoutMs: shared.redisTimeoutMs },
        (err) =>
          this.logger.warn(
            { err },
            'Graph limits: Redis unavailable; limiting per process for a few seconds',
          ),
      );
      this.gateOf = (userId) => limits.forMailbox(userId);
    } else {
      const limiters = new MailboxLimiters(maxConcurrency, budget, windowMs);
      this.gateOf = (userId) => limiters.forMailbox(userId);
    }
  }

  /**
   * A client for the mailbox. `waits.maxWaitMs`: its requests fail with MailboxPausedError rather than wait
   * longer for a Retry-After pause or the budget (a job that can be re-queued gives its lane back instead).
   */
  forMailbox(userId: string, waits?: GraphWaits): Client {
    const token = this.tokenOf(userId);
    const target = graphClientTarget(this.settings.graphBaseUrl);
    const throttle = new MailboxThrottleHandler({
      limiter: this.gateOf(userId),
      waits,
      maxThrottleRetries: this.settings.maxThrottleRetries,
      maxGatewayTimeoutRetries: this.settings.maxGatewayTimeoutRetries,
      maxResponseBytes: this.settings.maxResponseBytes,
      onUnauthorized: () => {
        token.forget();
        return this.expireAccessToken(userId);
      },
      onThrottled: (status, waitMs) =>
        this.logger.info({ userId, status, waitMs }, 'Graph throttled the mailbox; pausing it'),
      onRetried: (status, waitMs) =>
        this.logger.info({ userId, status, waitMs }, 'Graph request failed; retrying it'),
    });
    const auth = new AuthenticationHandler({ getAccessToken: token.get });
    const telemetry = new TelemetryHandler();
    throttle.setNext(auth);
    auth.setNext(telemetry);
    telemetry.setNext(new HTTPMessageHandler());
    return Client.initWithMiddleware({
      baseUrl: target.baseUrl,
      defaultVersion: target.defaultVersion,
      customHosts: target.customHosts,
      middleware: throttle,
    });
  }

  /**
   * One client's access token: read once (requests sent together share the read), reused for
   * TOKEN_REUSE_MS, forgotten after a 401 or a failed read.
   */
  private tokenOf(userId: string) {
    let recent: { token: Promise<string>; until: number } | undefined;
    return {
      get: (): Promise<string> => {
        if (recent && recent.until > Date.now()) return recent.token;
        const token = this.tokens.getAccessToken(userId);
        const entry = { token, until: Date.now() + TOKEN_REUSE_MS };
        recent = entry;
        token.catch(() => recent === entry && (recent = undefined));
        return token;
      },
      forget: () => (recent = undefined),
    };
  }

  /**
   * Graph refused a token our row still calls fresh (revoked early, clock skew): mark it expired so the next
   * getAccessToken refreshes it through msal (under MailboxTokens' lock).
   */
  private async expireAccessToken(userId: string): Promise<void> {
    this.logger.warn({ userId }, 'Graph answered 401; refreshing the access token once');
    await this.tokens.expire(userId);
  }
}
