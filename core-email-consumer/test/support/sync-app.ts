// The consumer's sync module with the real platform (PostgreSQL, Redis cluster, Kafka) but without joining
// the consumer group: tests drive MailboxSyncService directly, so jobs other engineers publish on the shared
// broker never reach this test's emulator (and no foreign mailbox is ever marked reauth_required by it).
import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { SyncEmailMessage } from '@core-email/contracts';
import { HandlerContext, parseEnv } from '@core-email/platform';
import { stackEnv } from '@core-email/platform/testing';
import { ConsumerConfig, consumerEnvSchema, toConsumerConfig } from '../../src/config/config';
import { SyncModule } from '../../src/sync/sync.module';
import { startFeatureContext } from './feature-context';

export async function startSyncContext(overrides: NodeJS.ProcessEnv): Promise<{
  app: INestApplicationContext;
  config: ConsumerConfig;
}> {
  const config = toConsumerConfig(parseEnv(consumerEnvSchema, { ...stackEnv(process.env), ...overrides }));
  const { app } = await startFeatureContext(SyncModule, config, { send: 'all' });
  return { app, config };
}

export function syncJob(
  userId: string,
  mode: 'incremental' | 'full',
  runId = randomUUID(),
): SyncEmailMessage {
  return { userId, runId, mode, reason: 'resync', requestedAt: new Date().toISOString() };
}

export function handlerContext(attempt = 1): HandlerContext & { heartbeats: number } {
  const ctx = {
    topic: 'sync_email' as const,
    partition: 0,
    offset: '0',
    attempt,
    heartbeats: 0,
    async heartbeat() {
      ctx.heartbeats += 1;
    },
  };
  return ctx;
}
