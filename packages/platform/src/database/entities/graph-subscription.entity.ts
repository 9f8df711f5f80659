import { Column, Entity, PrimaryColumn } from 'typeorm';

export type GraphSubscriptionStatus = 'active' | 'removed' | 'failed';

/** A Graph subscription of one mailbox; `failed` rows (no Graph id) record creations Graph refused. */
@Entity({ name: 'graph_subscriptions' })
export class GraphSubscriptionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'graph_subscription_id', type: 'text', nullable: true })
  graphSubscriptionId!: string | null;

  @Column({ type: 'text' })
  resource!: string;

  @Column({ name: 'change_types', type: 'text' })
  changeTypes!: string;

  @Column({ name: 'client_state', type: 'text' })
  clientState!: string;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ type: 'text' })
  status!: GraphSubscriptionStatus;

  /** Created with `Prefer: IdType="ImmutableId"` (notifications name messages by the ids the copy stores). */
  @Column({ name: 'immutable_ids', type: 'boolean' })
  immutableIds!: boolean;

  @Column({ name: 'failure_count', type: 'integer' })
  failureCount!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
