// A user of our own with an emulator mailbox connected through the real OAuth code flow (msal-node and the
// emulator's sign-in forms), stored the way the producer stores it.
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import {
  createMsalClient,
  generatePkce,
  MicrosoftSettings,
  OutlookAccountsRepository,
  TokenCipher,
} from '@core-email/platform';
import { emulatorSignIn } from '@core-email/platform/testing';

export interface ConnectedMailbox {
  userId: string;
  address: string;
}

export async function connectMailbox(
  db: DataSource,
  settings: MicrosoftSettings,
  control: (method: string, path: string, body?: unknown) => Promise<unknown>,
): Promise<ConnectedMailbox> {
  const address = `sync-${randomUUID()}@contoso.test`;
  const password = 'pw-123456';
  await control('POST', '/mailboxes', { address, password, displayName: 'Sync Test' });
  const [{ id: userId }] = (await db.query(
    `INSERT INTO users (email, user_name, password_hash) VALUES ($1, 'sync test', 'x') RETURNING id`,
    [`owner-${randomUUID()}@example.test`],
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
  const cipher = TokenCipher.fromConfig(settings.tokenKeys, settings.activeTokenKeyId);
  await new OutlookAccountsRepository(db).saveConnected(
    {
      userId,
      msObjectId: result.account!.localAccountId,
      msTenantId: result.account!.tenantId,
      address,
      accessToken: cipher.encrypt(result.accessToken),
      tokenCache: cipher.encrypt(client.getTokenCache().serialize()),
      accessTokenExpiresAt: result.expiresOn!,
      scopes: result.scopes.join(' '),
    },
    async () => undefined,
  );
  return { userId, address };
}
