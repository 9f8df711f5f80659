import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A folder of a user's mailbox and its delta checkpoint (see the create-mail-tables migration). */
@Entity({ name: 'mail_folders' })
export class MailFolderEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'graph_id', type: 'text' })
  graphId!: string;

  @Column({ name: 'parent_graph_id', type: 'text', nullable: true })
  parentGraphId!: string | null;

  @Column({ name: 'display_name', type: 'text' })
  displayName!: string;

  @Column({ name: 'total_count', type: 'integer' })
  totalCount!: number;

  @Column({ name: 'unread_count', type: 'integer' })
  unreadCount!: number;

  /** Where the folder's delta continues: a next link mid-round, or the last round's delta link. */
  @Column({ name: 'delta_link', type: 'text', nullable: true })
  deltaLink!: string | null;

  /** Number of the current delta round (mail_sync_round_seq). */
  @Column({ type: 'bigint', nullable: true })
  round!: string | null;

  /** The current round started from scratch and must delete what it did not see when it ends. */
  @Column({ name: 'round_is_fresh', type: 'boolean' })
  roundIsFresh!: boolean;

  /** The sync run that started the current round (a redelivered full run resumes it, not restarts). */
  @Column({ name: 'round_run_id', type: 'uuid', nullable: true })
  roundRunId!: string | null;

  @Column({ name: 'last_synced_at', type: 'timestamptz', nullable: true })
  lastSyncedAt!: Date | null;
}
