import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { AuthError, InteractionRequiredAuthError } from '@azure/msal-node';
import type { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import { REDIS_CLUSTER } from '../redis/tokens';
import { LOGGER } from '../logging/logger';
import { createMsalClient, MicrosoftSettings } from './msal';
import { MICROSOFT_SETTINGS } from './microsoft-settings.token';
import { OutlookAccountRow, OutlookAccountsRepository } from './outlook-accounts.repository';
import { RedisLock } from './redis-lock';
import { TokenCipher, tokenBinding } from './token-cipher';

/** The user has no usable mailbox link (never connected, or disconnected). */
export class MailboxNotConnectedError extends Error {
  constructor(readonly userId: string) {
    super(`no connected Outlook mailbox for user ${userId}`);
    this.name = 'MailboxNotConnectedError';
  }
}

/** Microsoft no longer honours the grant: the user has to connect again. The mailbox is `reauth_required`. */
export class MailboxReauthRequiredError extends Error {
  constructor(readonly userId: string) {
    super(`the Outlook mailbox of user ${userId} needs to be connected again`);
    this.name = 'MailboxReauthRequiredError';
  }
}

/** Refresh this long before expiry, so a token handed out still lives through a Graph call or a page loop. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** Longer than any sane token request; the lock frees itself if its holder dies. */
const LOCK_TTL_MS = 15_000;
const WAIT_FOR_OTHER_REFRESH_MS = 20_000;
const POLL_MS = 100;

// What Microsoft (through msal) says when the refresh token or the consent behind it is gone.
const GRANT_GONE = new Set(['invalid_grant', 'interaction_required', 'consent_required', 'login_required']);

/**
 * Access tokens for a user's mailbox, refreshed through msal shortly before they expire.
 *
 * Refresh tokens rotate: each refresh returns a new one and (strictly) invalidates the old. Two replicas
 * refreshing one mailbox at once would both spend the same refresh token and one would store a dead one.
 * So one refresh per mailbox runs at a time (a short Redis lock); everyone else waits for its result in the
 * database; and the write is a compare-and-set on cache_version in case a lock ever expired mid-refresh.
 */
@Injectable()
export class MailboxTokens {
  private readonly lock: RedisLock;

  constructor(
    private readonly accounts: OutlookAccountsRepository,
    private readonly cipher: TokenCipher,
    @Inject(MICROSOFT_SETTINGS) private readonly settings: MicrosoftSettings,
    @Inject(REDIS_CLUSTER) redis: Cluster,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.lock = new RedisLock(redis);
  }

  async getAccessToken(userId: string): Promise<string> {
    const deadline = Date.now() + WAIT_FOR_OTHER_REFRESH_MS;
    for (;;) {
      const row = this.usable(userId, await this.accounts.findByUserId(userId));
      if (isFresh(row))
        return this.cipher.decrypt(row.accessToken!, tokenBinding(row.userId, 'access_token'));
      const token = await this.lock.withLock(`outlook:token-refresh:{${userId}}`, LOCK_TTL_MS, () =>
        this.refreshUnlessFresh(userId),
      );
      if (token !== undefined) return token;
      // Another process is refreshing this mailbox (its result lands in the row), or the row changed.
      if (Date.now() > deadline) throw new Error(`timed out waiting for the token refresh of user ${userId}`);
      await sleep(POLL_MS);
    }
  }

  /** Graph refused the stored access token early (revoked, clock skew): the next read refreshes it. */
  expire(userId: string): Promise<void> {
    return this.accounts.expireAccessToken(userId);
  }

  /**
   * Under the lock: read again (the previous holder may just have refreshed), else refresh. `undefined`
   * means "the row changed under us, look again".
   */
  private async refreshUnlessFresh(userId: string): Promise<string | undefined> {
    const row = this.usable(userId, await this.accounts.findByUserId(userId));
    if (isFresh(row)) return this.cipher.decrypt(row.accessToken!, tokenBinding(row.userId, 'access_token'));
    return this.refresh(row);
  }

  private async refresh(row: OutlookAccountRow): Promise<string | undefined> {
    const client = createMsalClient(this.settings, this.logger);
    const cache = client.getTokenCache();
    cache.deserialize(this.cipher.decrypt(row.tokenCache!, tokenBinding(row.userId, 'token_cache')));
    const [account] = await cache.getAllAccounts();
    if (!account) return this.reauthRequired(row);
    let result;
    try {
      result = await client.acquireTokenSilent({ account, scopes: this.settings.scopes, forceRefresh: true });
    } catch (error) {
      if (isGrantGone(error)) return this.reauthRequired(row);
      throw error;
    }
    const written = await this.accounts.updateTokens(row.id, row.cacheVersion, {
      accessToken: this.cipher.encrypt(result.accessToken, tokenBinding(row.userId, 'access_token')),
      tokenCache: this.cipher.encrypt(cache.serialize(), tokenBinding(row.userId, 'token_cache')),
      accessTokenExpiresAt: result.expiresOn ?? new Date(Date.now() + 3600_000),
      scopes: result.scopes.join(' '),
    });
    // Not written: someone stored newer tokens meanwhile (or the user disconnected); ours are still valid now.
    if (!written)
      this.logger.warn({ userId: row.userId }, 'token refresh lost a compare-and-set; kept the newer row');
    else this.logger.info({ userId: row.userId }, 'refreshed the mailbox access token');
    return result.accessToken;
  }

  private async reauthRequired(row: OutlookAccountRow): Promise<undefined> {
    const marked = await this.accounts.markReauthRequired(row.id, row.cacheVersion);
    // Not marked: the row changed since we read it (a reconnect, or a refresh whose lock had expired), so our
    // refresh token was stale rather than revoked. The caller looks at the current row again.
    if (!marked) return undefined;
    this.logger.warn(
      { userId: row.userId },
      'Microsoft refused the refresh token; mailbox needs reconnecting',
    );
    throw new MailboxReauthRequiredError(row.userId);
  }

  private usable(userId: string, row: OutlookAccountRow | null): OutlookAccountRow {
    if (row?.status === 'reauth_required') throw new MailboxReauthRequiredError(userId);
    if (!row || row.status !== 'connected' || !row.tokenCache || !row.accessToken) {
      throw new MailboxNotConnectedError(userId);
    }
    return row;
  }
}

function isFresh(row: OutlookAccountRow): boolean {
  return (
    row.accessTokenExpiresAt !== null && row.accessTokenExpiresAt.getTime() - Date.now() > REFRESH_MARGIN_MS
  );
}

function isGrantGone(error: unknown): boolean {
  if (error instanceof InteractionRequiredAuthError) return true;
  if (!(error instanceof AuthError) || !GRANT_GONE.has(error.errorCode)) return false;
  // Entra's brake on a client that keeps asking ("client request loop"): an invalid_grant that passes.
  return !error.errorMessage.includes('AADSTS50196');
}
