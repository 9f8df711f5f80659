import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AuthenticationResult, ConfidentialClientApplication } from '@azure/msal-node';
import type { Logger } from 'pino';
import { TOPICS } from '@core-email/contracts';
import {
  AccountLinkedElsewhereError,
  createMsalClient,
  generatePkce,
  LOGGER,
  MICROSOFT_SETTINGS,
  MicrosoftSettings,
  Outbox,
  OutlookAccountsRepository,
  TokenCipher,
  tokenBinding,
} from '@core-email/platform';
import type { SessionUser } from '../auth/session-user';
import { SessionsRepository } from '../auth/sessions.repository';
import { PRODUCER_CONFIG, ProducerConfig } from '../config/config';
import { BindingCookie, bindingCookie, bindingHash, newBrowserNonce, sameBinding } from './browser-binding';
import { OAuthStateRepository, PendingConnect } from './oauth-state.repository';
import type { ConnectFailure, RedirectQuery } from './outlook.schemas';

export const STATE_TTL_SECONDS = 600;

/** A redeemed code: msal's result and its serialized cache (account, access and refresh tokens). */
interface Redeemed {
  result: AuthenticationResult;
  cache: string;
}

/**
 * Linking a mailbox: the authorization code flow with PKCE through msal. The rules that keep it safe:
 * a random single-use `state` bound to the user's session, redeemed once; nothing stored unless every step
 * succeeded; one Microsoft account belongs to one user.
 */
@Injectable()
export class OutlookConnectService {
  // Builds authorize URLs only (no tokens ever enter its cache), so one instance serves every request.
  private readonly urlClient: ConfidentialClientApplication;

  constructor(
    private readonly states: OAuthStateRepository,
    private readonly sessions: SessionsRepository,
    private readonly accounts: OutlookAccountsRepository,
    private readonly cipher: TokenCipher,
    @Inject(MICROSOFT_SETTINGS) private readonly settings: MicrosoftSettings,
    private readonly outbox: Outbox,
    @Inject(PRODUCER_CONFIG) private readonly config: ProducerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.urlClient = createMsalClient(settings, logger);
  }

  /** The authorize URL, and the nonce the starting browser must present at the redirect (its cookie). */
  async start(user: SessionUser): Promise<{ authorizeUrl: string; browserNonce: string }> {
    const pkce = await generatePkce();
    const state = randomBytes(32).toString('base64url');
    const browserNonce = newBrowserNonce();
    await this.states.save(
      state,
      {
        userId: user.userId,
        sessionId: user.sessionId,
        codeVerifier: pkce.verifier,
        browserBinding: bindingHash(browserNonce),
      },
      STATE_TTL_SECONDS,
    );
    const authorizeUrl = await this.urlClient.getAuthCodeUrl({
      scopes: this.settings.scopes,
      redirectUri: this.settings.redirectUri,
      codeChallenge: pkce.challenge,
      codeChallengeMethod: 'S256',
      state,
      prompt: 'select_account',
      responseMode: 'query',
    });
    return { authorizeUrl, browserNonce };
  }

  /** The browser-binding cookie, `Secure` and `__Host-` when the redirect URI is https. */
  bindingCookie(maxAgeMs: number): BindingCookie {
    return bindingCookie(this.settings.redirectUri.startsWith('https:'), maxAgeMs);
  }

  /**
   * Handles Microsoft's redirect: where to send the browser (the dashboard, with the outcome), and whether
   * this browser's binding was used up (only then is its cookie cleared: a forged redirect with someone
   * else's or a made-up state must not end the connect that browser has in progress).
   */
  async complete(
    query: RedirectQuery,
    browserNonce: string | undefined,
  ): Promise<{ url: string; bindingUsed: boolean }> {
    const pending = await this.states.peek(query.state);
    if (!pending || !sameBinding(browserNonce, pending.browserBinding)) {
      return { url: this.dashboardUrl('invalid_state'), bindingUsed: false };
    }
    try {
      const failure = await this.tryComplete(query, pending);
      return { url: this.dashboardUrl(failure), bindingUsed: true };
    } catch (error) {
      this.logger.error({ err: error }, 'outlook connect failed');
      return { url: this.dashboardUrl('internal_error'), bindingUsed: true };
    }
  }

  /** `pending` is this browser's: taken once (of two redirects with one state, one gets it). */
  private async tryComplete(
    query: RedirectQuery,
    pending: PendingConnect,
  ): Promise<ConnectFailure | undefined> {
    if (!(await this.states.take(query.state))) return 'invalid_state';
    if (!(await this.sessions.exists(pending.userId, pending.sessionId))) return 'invalid_state';
    if (query.error !== undefined)
      return query.error === 'access_denied' ? 'access_denied' : 'authorization_failed';
    const redeemed = await this.redeem(query.code!, pending);
    if (!redeemed) return 'redeem_failed';
    return this.store(pending.userId, redeemed);
  }

  private async redeem(code: string, pending: PendingConnect): Promise<Redeemed | null> {
    // A client of its own: its cache ends up holding exactly this mailbox's tokens, which we then store.
    const client = createMsalClient(this.settings, this.logger);
    try {
      const result = await client.acquireTokenByCode({
        code,
        scopes: this.settings.scopes,
        redirectUri: this.settings.redirectUri,
        codeVerifier: pending.codeVerifier,
      });
      return { result, cache: client.getTokenCache().serialize() };
    } catch (error) {
      const { errorCode, subError } = error as { errorCode?: string; subError?: string };
      this.logger.warn(
        { userId: pending.userId, errorCode, subError },
        'authorization code redemption failed',
      );
      return null;
    }
  }

  private async store(userId: string, { result, cache }: Redeemed): Promise<ConnectFailure | undefined> {
    const account = result.account;
    const address = account?.username;
    if (!account?.localAccountId || !account.tenantId || !address || !result.expiresOn)
      return 'redeem_failed';
    try {
      await this.accounts.saveConnected(
        {
          userId,
          msObjectId: account.localAccountId,
          msTenantId: account.tenantId,
          address,
          accessToken: this.cipher.encrypt(result.accessToken, tokenBinding(userId, 'access_token')),
          tokenCache: this.cipher.encrypt(cache, tokenBinding(userId, 'token_cache')),
          accessTokenExpiresAt: result.expiresOn,
          scopes: result.scopes.join(' '),
        },
        // The first sync job commits with the account (the outbox relays it): never lost, never waited on.
        (tx) =>
          this.outbox.add(tx, TOPICS.syncEmail, {
            userId,
            runId: randomUUID(),
            mode: 'full',
            reason: 'connected',
            requestedAt: new Date().toISOString(),
          }),
      );
    } catch (error) {
      if (error instanceof AccountLinkedElsewhereError) return 'account_linked_elsewhere';
      throw error;
    }
    this.logger.info({ userId }, 'outlook mailbox connected');
    return undefined;
  }

  private dashboardUrl(failure: ConnectFailure | undefined): string {
    const url = new URL('/', this.config.env.DASHBOARD_URL);
    if (failure) {
      url.searchParams.set('outlook', 'error');
      url.searchParams.set('reason', failure);
    } else {
      url.searchParams.set('outlook', 'connected');
    }
    return url.toString();
  }
}
