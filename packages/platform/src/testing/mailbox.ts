// A user of our own with an emulator mailbox connected through the real OAuth code flow (msal-node and the
// emulator's sign-in forms), stored the way the producer stores it.
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { createMsalClient, generatePkce, MicrosoftSettings } from '../microsoft/msal';
import { OutlookAccountsRepository } from '../microsoft/outlook-accounts.repository';
import { TokenCipher, tokenBinding } from '../microsoft/token-cipher';
import { emulatorSignIn } from './emulator-sign-in';

export interface ConnectedMailbox {
  userId: string;
  address: string;
}

export interface ConnectMailboxOptions {
  /** Names the mailbox and its owner (`<label>-<uuid>@contoso.test`, "<label> test"). */
  label?: string;
  /** Sees the plaintext tokens before they are stored: for a test that checks they never leak. */
  onTokens?: (accessToken: string, tokenCache: string) => void;
}

export async function connectMailbox(
  db: DataSource,
  settings: MicrosoftSettings,
  control: (method: string, path: string, body?: unknown) => Promise<unknown>,
  { label = 'sync', onTokens }: ConnectMailboxOptions = {},
): Promise<ConnectedMailbox> {
  const address = `${label}-${randomUUID()}@contoso.test`;
  const password = 'pw-123456';
  await control('POST', '/mailboxes', { address, password, displayName: `${label} test` });
  const [{ id: userId }] = (await db.query(
    'INSERT INTO users (email, user_name, password_hash) VALUES ($1, $2, $3) RETURNING id',
    [`owner-${randomUUID()}@example.test`, `${label} test`, 'x'],
  )) as { id: string }[];
  const client = createMsalClient(settings, pino({ level: 'silent' }));
  const pkce = await generatePkce();
  const authorizeUrl = await client.getAuthCodeUrl({
    scopes: settings.scopes,
    redirectUri: settings.redirectUri,
    codeChallenge: pkce.challenge,
    codeChallengeMethod: 'S256',
    state: 'test',
  });
  const back = await emulatorSignIn(authorizeUrl, { username: address, password });
  const result = await client.acquireTokenByCode({
    code: back.searchParams.get('code')!,
    scopes: settings.scopes,
    redirectUri: settings.redirectUri,
    codeVerifier: pkce.verifier,
  });
  const tokenCache = client.getTokenCache().serialize();
  onTokens?.(result.accessToken, tokenCache);
  const cipher = TokenCipher.fromConfig(settings.tokenKeys, settings.activeTokenKeyId);
  await new OutlookAccountsRepository(db).saveConnected(
    {
      userId,
      msObjectId: result.account!.localAccountId,
      msTenantId: result.account!.tenantId,
      address,
      accessToken: cipher.encrypt(result.accessToken, tokenBinding(userId, 'access_token')),
      tokenCache: cipher.encrypt(tokenCache, tokenBinding(userId, 'token_cache')),
      accessTokenExpiresAt: result.expiresOn!,
      scopes: result.scopes.join(' '),
    },
    async () => undefined,
  );
  return { userId, address };
}
