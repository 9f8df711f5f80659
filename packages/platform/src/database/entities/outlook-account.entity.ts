import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type OutlookAccountStatus = 'connected' | 'reauth_required' | 'disconnected';

/** A user's linked Outlook mailbox. Token columns hold TokenCipher ciphertext (see the migration). */
@Entity({ name: 'outlook_accounts' })
export class OutlookAccountEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid', unique: true })
  userId!: string;

  @Column({ name: 'ms_object_id', type: 'text' })
  msObjectId!: string;

  @Column({ name: 'ms_tenant_id', type: 'text' })
  msTenantId!: string;

  @Column({ type: 'text' })
  address!: string;

  /** Ciphertext of the current access token (the fast path reads only this). */
  @Column({ name: 'access_token', type: 'text', nullable: true })
  accessToken!: string | null;

  /** Ciphertext of msal's serialized token cache for this mailbox: account, access and refresh tokens. */
  @Column({ name: 'token_cache', type: 'text', nullable: true })
  tokenCache!: string | null;

  @Column({ name: 'access_token_expires_at', type: 'timestamptz', nullable: true })
  accessTokenExpiresAt!: Date | null;

  /** Space-separated, as granted. */
  @Column({ type: 'text' })
  scopes!: string;

  @Column({ type: 'text' })
  status!: OutlookAccountStatus;

  @Column({ name: 'cache_version', type: 'integer' })
  cacheVersion!: number;

  @Column({ name: 'connected_at', type: 'timestamptz' })
  connectedAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
