import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { col, defineTable, RowOf, selectList } from '../database/table';

export type OutlookAccountStatus = 'connected' | 'reauth_required' | 'disconnected';
export type DeliveryMode = 'push' | 'polling';

/** A user's linked Outlook mailbox. Token columns hold TokenCipher ciphertext (see the migration). */
export const outlookAccountsTable = defineTable({
  name: 'outlook_accounts',
  columns: {
    id: col.uuid(),
    user_id: col.uuid(),
    ms_object_id: col.text(),
    ms_tenant_id: col.text(),
    address: col.text(),
    /** Ciphertext of the current access token (the fast path reads only this). */
    access_token: col.text().orNull(),
    /** Ciphertext of msal's serialized token cache for this mailbox: account, access and refresh tokens. */
    token_cache: col.text().orNull(),
    access_token_expires_at: col.timestamptz().orNull(),
    /** Space-separated, as granted. */
    scopes: col.text(),
    status: col.text<OutlookAccountStatus>(),
    cache_version: col.integer(),
    connected_at: col.timestamptz(),
    updated_at: col.timestamptz(),
    /** How the mailbox learns about changes (GraphSubscriptionsRepository reads and sets it). */
    delivery_mode: col.text<DeliveryMode>(),
  },
  indexes: {
    outlook_accounts_user_key: 'UNIQUE USING btree (user_id)',
    outlook_accounts_ms_account_key:
      "UNIQUE USING btree (ms_tenant_id, ms_object_id) WHERE (status <> 'disconnected'::text)",
  },
});

/** A row of outlook_accounts as the services use it. Token fields are ciphertext. */
export type OutlookAccountRow = RowOf<typeof outlookAccountsTable>;

/** What a successful connect stores (token fields already encrypted). */
export interface ConnectedAccount {
  userId: string;
  msObjectId: string;
  msTenantId: string;
  address: string;
  accessToken: string;
  tokenCache: string;
  accessTokenExpiresAt: Date;
  scopes: string;
}

export type EncryptedTokens = Pick<
  ConnectedAccount,
  'accessToken' | 'tokenCache' | 'accessTokenExpiresAt' | 'scopes'
>;

/** The Microsoft account is already linked to a different user (UNIQUE ms_tenant_id, ms_object_id). */
export class AccountLinkedElsewhereError extends Error {
  constructor() {
    super('this Microsoft account is linked to another user');
    this.name = 'AccountLinkedElsewhereError';
  }
}

const COLUMNS = selectList(outlookAccountsTable);

/**
 * Every query on outlook_accounts. All of them run on the primary (DataSource.query uses a master query
 * runner): token reads must see the latest rotated refresh token, never a lagging replica.
 */
@Injectable()
export class OutlookAccountsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findByUserId(userId: string): Promise<OutlookAccountRow | null> {
    const rows = await this.dataSource.query(`SELECT ${COLUMNS} FROM outlook_accounts WHERE user_id = $1`, [
      userId,
    ]);
    return (rows as OutlookAccountRow[])[0] ?? null;
  }

  /**
   * Inserts or updates the user's mailbox as connected, then runs `inTransaction` with the same transaction
   * (writing the first sync job to the outbox): if that fails, nothing is stored. `inTransaction` must only
   * use `tx`: the transaction never waits on anything outside PostgreSQL (review M4).
   */
  async saveConnected(
    account: ConnectedAccount,
    inTransaction: (tx: EntityManager) => Promise<void>,
  ): Promise<void> {
    try {
      await this.dataSource.transaction(async (em: EntityManager) => {
        await em.query(
          `INSERT INTO outlook_accounts (user_id, ms_object_id, ms_tenant_id, address, access_token, token_cache,
             access_token_expires_at, scopes, status, cache_version, connected_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'connected', 1, now(), now())
           ON CONFLICT (user_id) DO UPDATE SET
             ms_object_id = EXCLUDED.ms_object_id, ms_tenant_id = EXCLUDED.ms_tenant_id,
             address = EXCLUDED.address, access_token = EXCLUDED.access_token,
             token_cache = EXCLUDED.token_cache, access_token_expires_at = EXCLUDED.access_token_expires_at,
             scopes = EXCLUDED.scopes, status = 'connected',
             cache_version = outlook_accounts.cache_version + 1, connected_at = now(), updated_at = now()`,
          [
            account.userId,
            account.msObjectId,
            account.msTenantId,
            account.address,
            account.accessToken,
            account.tokenCache,
            account.accessTokenExpiresAt,
            account.scopes,
          ],
        );
        await inTransaction(em);
      });
    } catch (error) {
      if ((error as { constraint?: string }).constraint === 'outlook_accounts_ms_account_key') {
        throw new AccountLinkedElsewhereError();
      }
      throw error;
    }
  }

  /** Compare-and-set: writes only if nobody else wrote tokens since `expectedVersion` was read. */
  async updateTokens(id: string, expectedVersion: number, tokens: EncryptedTokens): Promise<boolean> {
    const [, affected] = await this.dataSource.query(
      `UPDATE outlook_accounts SET access_token = $3, token_cache = $4, access_token_expires_at = $5,
         scopes = $6, cache_version = cache_version + 1, updated_at = now()
       WHERE id = $1 AND cache_version = $2 AND status = 'connected'`,
      [
        id,
        expectedVersion,
        tokens.accessToken,
        tokens.tokenCache,
        tokens.accessTokenExpiresAt,
        tokens.scopes,
      ],
    );
    return affected === 1;
  }

  /** The grant is gone: keep the account, drop its now useless tokens. Only if nothing newer was written. */
  async markReauthRequired(id: string, expectedVersion: number): Promise<boolean> {
    const [, affected] = await this.dataSource.query(
      `UPDATE outlook_accounts SET status = 'reauth_required', access_token = NULL, token_cache = NULL,
         access_token_expires_at = NULL, cache_version = cache_version + 1, updated_at = now()
       WHERE id = $1 AND cache_version = $2 AND status = 'connected'`,
      [id, expectedVersion],
    );
    return affected === 1;
  }

  /** Removes the tokens and keeps the account row (and the mail copy) as disconnected. */
  async disconnect(userId: string): Promise<boolean> {
    const [, affected] = await this.dataSource.query(
      `UPDATE outlook_accounts SET status = 'disconnected', access_token = NULL, token_cache = NULL,
         access_token_expires_at = NULL, cache_version = cache_version + 1, updated_at = now()
       WHERE user_id = $1`,
      [userId],
    );
    return affected === 1;
  }

  /**
   * Graph refused a token the row still calls fresh: it is marked expired, so the next read refreshes it.
   */
  async expireAccessToken(userId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE outlook_accounts SET access_token_expires_at = now()
        WHERE user_id = $1 AND access_token_expires_at > now()`,
      [userId],
    );
  }

  async deleteForUser(userId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM outlook_accounts WHERE user_id = $1`, [userId]);
  }
}
