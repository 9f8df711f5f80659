import { z } from 'zod';
import {
  assertProductionReady,
  booleanFlag,
  infraEnvShape,
  InfraSettings,
  infraSettingsFrom,
  microsoftEnvShape,
  parseEnv,
  RetryPolicy,
} from '@core-email/platform';

/** Every variable the consumer reads. `.env.example` lists them all with a comment each. */
export const consumerEnvSchema = z.object({
  ...infraEnvShape,
  ...microsoftEnvShape,
  HEALTH_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
  KAFKA_GROUP_ID: z.string().min(1).max(200).default('core-email-consumer'),
  KAFKA_HANDLER_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(4),
  KAFKA_RETRY_INITIAL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  KAFKA_RETRY_MAX_MS: z.coerce.number().int().min(10).max(600_000).default(10_000),
  // Users handled at once (one user's messages stay in order): a long mailbox sync must not hold up other
  // users' jobs or real-time changes. Lanes mostly await Graph and PostgreSQL, and the sync's real work is
  // bounded by SYNC_PAGE_SLOTS, so this is high: every mailbox syncing gets a lane and its turn for pages.
  KAFKA_KEY_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(256),
  // Mailbox sync (issue 5). Graph pages messages delta with odata.maxpagesize up to 1,000.
  SYNC_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(500),
  SYNC_FOLDER_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(4),
  // Sync pages (a fetch and its store) worked on at once by this process, shared between mailboxes a page at
  // a time: round robin, and a mailbox whose first page is not stored yet goes first.
  SYNC_PAGE_SLOTS: z.coerce.number().int().min(1).max(1_000).default(16),
  // A sync whose mailbox must wait longer than this (a Graph Retry-After, a spent request budget) is parked:
  // its lane is given back and the job comes back when the wait is over, continuing from its saved links.
  SYNC_PARK_AFTER_SECONDS: z.coerce.number().int().min(1).max(3_600).default(30),
  // How far V8 lets the heap grow past what the last full GC kept (percent; 0: V8's own choice, up to 4x).
  // A sync makes pages of garbage faster than V8's default schedule collects it: 100 keeps the consumer's
  // peak near 220 MB instead of 300+ for ~5% more CPU, with no hard cap that a page of large bodies could hit.
  HEAP_GROWING_PERCENT: z.coerce.number().int().min(0).max(300).default(100),
  SYNC_PROGRESS_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(500),
  // A run with no committed page for this long is marked stuck (and reported on email_ack).
  SYNC_STUCK_AFTER_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  // Outlook allows 4 concurrent requests and 10,000 per 10 minutes per app and mailbox.
  GRAPH_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(4).default(4),
  GRAPH_REQUEST_BUDGET: z.coerce.number().int().min(1).max(9_999).default(9_000),
  GRAPH_BUDGET_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3_600).default(600),
  // The limits above hold for all consumer replicas together, in the Redis cluster; each limiter call to
  // Redis has this deadline, past which the process limits on its own for a few seconds.
  GRAPH_LIMITS_REDIS_TIMEOUT_MS: z.coerce.number().int().min(10).max(10_000).default(250),
  // Retries of one request on 429/503 (Retry-After) and 500/502/network errors (backoff doubling to 1 min).
  GRAPH_THROTTLE_RETRIES: z.coerce.number().int().min(0).max(1_000).default(50),
  // Retries of one request on 504 before the caller sees it: a delta page that keeps timing out is asked
  // for again with a smaller page size (Graph times out on pages of many large messages).
  GRAPH_GATEWAY_TIMEOUT_RETRIES: z.coerce.number().int().min(0).max(20).default(2),
  // The smallest page the sync shrinks to after repeated 504s (1: a page of one message, whatever its size).
  SYNC_MIN_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(1),
  // The largest Graph answer read into memory (MB). A delta page over it is asked for again with fewer
  // messages, like a page Graph timed out on: a few huge messages must not make a folder unsyncable (the page
  // goes to PostgreSQL as one jsonb value, limit 256 MB) or exhaust the consumer's memory.
  GRAPH_MAX_RESPONSE_MB: z.coerce.number().int().min(1).max(200).default(32),
  // Graph subscriptions (issue 6). Webhook URLs are graphWebhookUrl(PUBLIC_BASE_URL, ...) (the producer's).
  PUBLIC_BASE_URL: z
    .string()
    .url()
    .default('http://localhost:3000')
    .transform((u) => u.replace(/\/+$/, '')),
  // Live Graph rejects 10,080 minutes for Outlook messages and accepts 10,070; asking for less keeps a clock
  // that runs ahead from tripping the limit (a refused expiry is retried at the ceiling Graph names).
  SUBSCRIPTION_EXPIRY_MINUTES: z.coerce.number().int().min(45).max(10_070).default(10_000),
  SUBSCRIPTION_RENEW_WITHIN_MINUTES: z.coerce.number().int().min(1).max(10_070).default(1_440),
  SUBSCRIPTION_CRON_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  // Real time: a mailbox's notifications received within this window are applied with one pass.
  REALTIME_COALESCE_MS: z.coerce.number().int().min(0).max(10_000).default(100),
  // Real time: a pass whose notifications name at most this many messages fetches them by id instead of
  // running every folder's delta (0: always the deltas).
  REALTIME_FETCH_BY_ID_MAX: z.coerce.number().int().min(0).max(100).default(20),
  // Real time: a pass over the deltas lists the folders again at least this often (it also does when a message
  // turns up in an unknown folder, or leaves a folder), so folders created in Outlook are found in push mode.
  REALTIME_FOLDER_RELIST_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  // Mailboxes without a subscription get an incremental sync this often.
  POLLING_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  // false: no Graph subscriptions at all, every mailbox is kept current by polling (a deployment with no
  // public webhook URL).
  SUBSCRIPTIONS_ENABLED: booleanFlag(true),
  // Off in tests that drive the scheduler themselves.
  SUBSCRIPTION_SCHEDULER_ENABLED: booleanFlag(true),
  // Completeness audit: every connected mailbox is audited this often (push ones too: notifications are
  // not guaranteed).
  AUDIT_INTERVAL_HOURS: z.coerce.number().int().min(1).max(720).default(24),
  // The audit scheduler's tick, and the most mailboxes one tick queues (the rest wait for the next ticks,
  // so a deployment's mailboxes are spread instead of audited all at once).
  AUDIT_TICK_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
  AUDIT_MAX_PER_TICK: z.coerce.number().int().min(1).max(10_000).default(50),
  // Messages per page of the audit's id-only folder listing ($top; Graph allows up to 1,000).
  AUDIT_PAGE_SIZE: z.coerce.number().int().min(1).max(1_000).default(500),
  // An audit that finds more differences than this asks for a full sync instead of fetching each by id.
  AUDIT_REPAIR_MAX: z.coerce.number().int().min(0).max(100_000).default(2_000),
  // Off in tests that drive the audit scheduler themselves.
  AUDIT_SCHEDULER_ENABLED: booleanFlag(true),
});

export type ConsumerEnv = z.infer<typeof consumerEnvSchema>;

export interface ConsumerConfig {
  env: ConsumerEnv;
  infra: InfraSettings;
  retry: RetryPolicy;
}

export function toConsumerConfig(env: ConsumerEnv): ConsumerConfig {
  return {
    env,
    infra: infraSettingsFrom('core-email-consumer', env),
    retry: {
      attempts: env.KAFKA_HANDLER_ATTEMPTS,
      initialDelayMs: env.KAFKA_RETRY_INITIAL_MS,
      maxDelayMs: env.KAFKA_RETRY_MAX_MS,
    },
  };
}

/** The one place the consumer reads the environment. Throws ConfigError naming each bad variable. */
export function loadConsumerConfig(source: NodeJS.ProcessEnv = process.env): ConsumerConfig {
  const env = parseEnv(consumerEnvSchema, source);
  assertProductionReady(env, {
    secrets: ['MS_CLIENT_SECRET'],
    keyLists: ['TOKEN_ENCRYPTION_KEYS'],
    publicUrls: ['PUBLIC_BASE_URL'],
  });
  return toConsumerConfig(env);
}

export const CONSUMER_CONFIG = Symbol('CONSUMER_CONFIG');
