// The one place that reads the environment. Every knob is validated here once; a bad value stops the
// process with a message naming the variable.
import { resolve } from 'node:path';
import { z } from 'zod';

/** Repository root: this file runs as graph-emulator/dist/src/config/config.js. */
const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);

const schema = z.object({
  EMULATOR_PORT: int(0, 65535).default(8443),
  EMULATOR_HOST: z.string().min(1).default('127.0.0.1'),
  EMULATOR_PUBLIC_URL: z.string().url().optional(),
  EMULATOR_DATA_DIR: z
    .string()
    .min(1)
    .default(resolve(REPO_ROOT, '.data', 'emulator')),
  EMULATOR_CA_DIR: z.string().min(1).optional(),
  EMULATOR_CERT_NAMES: z.string().default(''),
  EMULATOR_ALLOW_HTTP_NOTIFICATIONS: bool.default('false'),
  EMULATOR_CONTROL_TOKEN: z.string().min(8).optional(),
  EMULATOR_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  EMULATOR_ACCESS_TOKEN_LIFETIME_SECONDS: int(1, 86400).default(3599),
  EMULATOR_REFRESH_TOKEN_LIFETIME_SECONDS: int(1, 365 * 86400).default(90 * 86400),
  EMULATOR_AUTH_CODE_LIFETIME_SECONDS: int(1, 3600).default(600),
  EMULATOR_STRICT_REFRESH_ROTATION: bool.default('false'),
  EMULATOR_THROTTLE_CONCURRENCY: int(1, 1000).default(4),
  EMULATOR_THROTTLE_WINDOW_REQUESTS: int(1, 10_000_000).default(10_000),
  EMULATOR_THROTTLE_WINDOW_SECONDS: int(1, 86400).default(600),
  EMULATOR_THROTTLE_RETRY_AFTER_SECONDS: num(0, 3600).default(2),
  EMULATOR_DELTA_TOKEN_GENERATIONS: int(1, 1000).default(3),
  EMULATOR_GATEWAY_TIMEOUT_PAGE_BYTES: int(0, 1024 * 1024 * 1024).optional(),
  EMULATOR_SUBSCRIPTION_MAX_MINUTES: int(45, 100_000).default(10_070),
  EMULATOR_SUBSCRIPTION_MAX_PER_MAILBOX: int(1, 100_000).default(1000),
  EMULATOR_VALIDATION_TIMEOUT_MS: int(100, 60_000).default(10_000),
  EMULATOR_NOTIFICATION_TIMEOUT_MS: int(100, 60_000).default(3_000),
  EMULATOR_NOTIFICATION_RETRY_INITIAL_MS: int(10, 3_600_000).default(10_000),
  EMULATOR_NOTIFICATION_RETRY_WINDOW_SECONDS: int(1, 7 * 86400).default(4 * 3600),
  EMULATOR_NOTIFICATION_BATCH_MS: int(0, 10_000).default(50),
  EMULATOR_SNAPSHOT_INTERVAL_SECONDS: int(0, 86400).default(30),
  EMULATOR_MAX_BODY_BYTES: int(1024, 150 * 1024 * 1024).default(4 * 1024 * 1024),
  EMULATOR_DEMO_MESSAGES: int(0, 1_000_000).default(250),
  EMULATOR_DIALECT: z.enum(['exchange-online', 'documented']).default('exchange-online'),
  EMULATOR_REAUTH_LEAD_SECONDS: int(1, 86400).optional(),
  EMULATOR_REAUTH_REPEAT_SECONDS: int(1, 86400).optional(),
  EMULATOR_MISSED_BURST_THRESHOLD: int(0, 1_000_000).default(25),
  EMULATOR_MISSED_BURST_WINDOW_MS: int(10, 60_000).default(1000),
});

export interface EmulatorConfig {
  port: number;
  host: string;
  /** Explicit public origin; when absent it is https://localhost:<bound port>. */
  publicUrl?: string;
  dataDir: string;
  caDir: string;
  certNames: string[];
  allowHttpNotifications: boolean;
  controlToken?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  accessTokenLifetimeSeconds: number;
  refreshTokenLifetimeSeconds: number;
  authCodeLifetimeSeconds: number;
  strictRefreshRotation: boolean;
  throttle: { concurrency: number; windowRequests: number; windowSeconds: number; retryAfterSeconds: number };
  /** Delta sync-state generations kept per folder; a link from an older one answers 410 SyncStateNotFound. */
  deltaTokenGenerations: number;
  /** A delta or list page whose JSON would be larger answers 504 UnknownError (0 = never). */
  gatewayTimeoutPageBytes: number;
  subscriptionMaxMinutes: number;
  subscriptionMaxPerMailbox: number;
  validationTimeoutMs: number;
  notificationTimeoutMs: number;
  notificationRetryInitialMs: number;
  notificationRetryWindowSeconds: number;
  notificationBatchMs: number;
  snapshotIntervalSeconds: number;
  maxBodyBytes: number;
  demoMessages: number;
  /**
   * Which Microsoft to imitate where live tenants differ from the documentation: `exchange-online` (the
   * default) does what live Exchange Online tenants were observed to do; `documented` keeps the shapes the
   * Graph documentation describes.
   */
  dialect: 'exchange-online' | 'documented';
  /** reauthorizationRequired starts this long before the subscription's access token expires (default: a quarter of the token lifetime). */
  reauthLeadSeconds: number;
  /** ...and is sent again this often until the app reauthorizes (default: a third of the lead). */
  reauthRepeatSeconds: number;
  /** More changes than this for one subscription within the burst window → one `missed` instead (0 = off). */
  missedBurstThreshold: number;
  missedBurstWindowMs: number;
}

export class ConfigError extends Error {}

/** Graph warns "from once every few minutes" as the token nears expiry: by default the last quarter of its life, three times. */
function reauthCadence(
  lifetime: number,
  lead: number | undefined,
  repeat: number | undefined,
): { reauthLeadSeconds: number; reauthRepeatSeconds: number } {
  const reauthLeadSeconds = lead ?? Math.max(1, Math.floor(lifetime / 4));
  return { reauthLeadSeconds, reauthRepeatSeconds: repeat ?? Math.max(1, Math.ceil(reauthLeadSeconds / 3)) };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): EmulatorConfig {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.EMULATOR_DATA_DIR);
  return {
    port: e.EMULATOR_PORT,
    host: e.EMULATOR_HOST,
    publicUrl: e.EMULATOR_PUBLIC_URL?.replace(/\/+$/, ''),
    dataDir,
    caDir: resolve(e.EMULATOR_CA_DIR ?? resolve(dataDir, 'ca')),
    certNames: e.EMULATOR_CERT_NAMES.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    allowHttpNotifications: e.EMULATOR_ALLOW_HTTP_NOTIFICATIONS,
    controlToken: e.EMULATOR_CONTROL_TOKEN,
    logLevel: e.EMULATOR_LOG_LEVEL,
    accessTokenLifetimeSeconds: e.EMULATOR_ACCESS_TOKEN_LIFETIME_SECONDS,
    refreshTokenLifetimeSeconds: e.EMULATOR_REFRESH_TOKEN_LIFETIME_SECONDS,
    authCodeLifetimeSeconds: e.EMULATOR_AUTH_CODE_LIFETIME_SECONDS,
    strictRefreshRotation: e.EMULATOR_STRICT_REFRESH_ROTATION,
    throttle: {
      concurrency: e.EMULATOR_THROTTLE_CONCURRENCY,
      windowRequests: e.EMULATOR_THROTTLE_WINDOW_REQUESTS,
      windowSeconds: e.EMULATOR_THROTTLE_WINDOW_SECONDS,
      retryAfterSeconds: e.EMULATOR_THROTTLE_RETRY_AFTER_SECONDS,
    },
    deltaTokenGenerations: e.EMULATOR_DELTA_TOKEN_GENERATIONS,
    // Exchange Online times big pages out at its gateway; the documentation only warns that it may.
    gatewayTimeoutPageBytes:
      e.EMULATOR_GATEWAY_TIMEOUT_PAGE_BYTES ??
      (e.EMULATOR_DIALECT === 'exchange-online' ? 4 * 1024 * 1024 : 0),
    subscriptionMaxMinutes: e.EMULATOR_SUBSCRIPTION_MAX_MINUTES,
    subscriptionMaxPerMailbox: e.EMULATOR_SUBSCRIPTION_MAX_PER_MAILBOX,
    validationTimeoutMs: e.EMULATOR_VALIDATION_TIMEOUT_MS,
    notificationTimeoutMs: e.EMULATOR_NOTIFICATION_TIMEOUT_MS,
    notificationRetryInitialMs: e.EMULATOR_NOTIFICATION_RETRY_INITIAL_MS,
    notificationRetryWindowSeconds: e.EMULATOR_NOTIFICATION_RETRY_WINDOW_SECONDS,
    notificationBatchMs: e.EMULATOR_NOTIFICATION_BATCH_MS,
    snapshotIntervalSeconds: e.EMULATOR_SNAPSHOT_INTERVAL_SECONDS,
    maxBodyBytes: e.EMULATOR_MAX_BODY_BYTES,
    demoMessages: e.EMULATOR_DEMO_MESSAGES,
    dialect: e.EMULATOR_DIALECT,
    ...reauthCadence(
      e.EMULATOR_ACCESS_TOKEN_LIFETIME_SECONDS,
      e.EMULATOR_REAUTH_LEAD_SECONDS,
      e.EMULATOR_REAUTH_REPEAT_SECONDS,
    ),
    missedBurstThreshold: e.EMULATOR_MISSED_BURST_THRESHOLD,
    missedBurstWindowMs: e.EMULATOR_MISSED_BURST_WINDOW_MS,
  };
}
