import { Column, Entity, PrimaryColumn } from 'typeorm';

export type SyncRunStatus = 'running' | 'finished' | 'failed' | 'stuck';

/** One `sync_email` job; its id is the message's runId, so a redelivered job finds its own row. */
@Entity({ name: 'sync_runs' })
export class SyncRunEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'text' })
  mode!: 'incremental' | 'full';

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'text' })
  status!: SyncRunStatus;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ name: 'last_progress_at', type: 'timestamptz' })
  lastProgressAt!: Date;

  @Column({ name: 'messages_synced', type: 'integer' })
  messagesSynced!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;
}
