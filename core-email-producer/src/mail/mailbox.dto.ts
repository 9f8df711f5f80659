import { ApiProperty } from '@nestjs/swagger';

export class FolderView {
  @ApiProperty({ description: "Graph's folder id" })
  id!: string;

  @ApiProperty({ nullable: true, type: String, description: "the parent folder's Graph id" })
  parentId!: string | null;

  @ApiProperty()
  name!: string;

  @ApiProperty({ description: 'messages in the folder, as Outlook counted them at the last sync' })
  totalCount!: number;

  @ApiProperty({ description: 'unread messages, as Outlook counted them at the last sync' })
  unreadCount!: number;

  @ApiProperty({ description: 'messages of the folder stored in our copy' })
  storedCount!: number;
}

export class FolderListView {
  @ApiProperty({ type: [FolderView] })
  items!: FolderView[];
}

const SYNC_RUN_STATUSES = ['running', 'finished', 'failed', 'stuck'] as const;
const SYNC_MODES = ['incremental', 'full'] as const;
const CONNECTION_STATUSES = ['not_connected', 'connected', 'reauth_required', 'disconnected'] as const;

export type SyncRunStatus = (typeof SYNC_RUN_STATUSES)[number];
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export class SyncRunView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: SYNC_RUN_STATUSES })
  status!: SyncRunStatus;

  @ApiProperty({ enum: SYNC_MODES })
  mode!: (typeof SYNC_MODES)[number];

  @ApiProperty({ example: 'resync' })
  reason!: string;

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  finishedAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  lastProgressAt!: string;

  @ApiProperty()
  messagesSynced!: number;

  @ApiProperty({ nullable: true, type: String, description: 'why the run failed' })
  error!: string | null;
}

export class SyncStatusView {
  @ApiProperty({ enum: CONNECTION_STATUSES })
  connection!: ConnectionStatus;

  @ApiProperty({
    enum: ['push', 'polling'],
    nullable: true,
    description:
      'push: Graph change notifications; polling: periodic delta syncs while no subscription holds',
  })
  deliveryMode!: 'push' | 'polling' | null;

  @ApiProperty({ type: SyncRunView, nullable: true, description: 'the latest run, or null' })
  run!: SyncRunView | null;
}

export class ResyncStartedView {
  @ApiProperty({ format: 'uuid', description: 'the run that GET /api/mail/sync will show' })
  runId!: string;
}
