import { ApiProperty } from '@nestjs/swagger';

const STATUSES = ['complete', 'repaired', 'failed'] as const;

export class AuditFolderView {
  @ApiProperty({ description: "Graph's folder id" })
  folderId!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ format: 'date-time', description: 'when the audit compared this folder with Graph' })
  checkedAt!: string;

  @ApiProperty({ description: 'messages of the folder in our copy when it was checked' })
  stored!: number;

  @ApiProperty({ description: 'messages Graph listed in the folder' })
  atGraph!: number;

  @ApiProperty({ description: 'at Graph, not stored' })
  missing!: number;

  @ApiProperty({ description: 'stored here, nowhere in the mailbox at Graph (deleted once Graph confirmed)' })
  extra!: number;

  @ApiProperty({ description: 'stored with another change key, or filed under another folder' })
  stale!: number;

  @ApiProperty({ description: 'differences repaired (fetched from Graph by id, or deleted)' })
  repaired!: number;

  @ApiProperty({
    enum: STATUSES,
    description:
      'complete: nothing differed; repaired: everything that differed was repaired; failed: see error',
  })
  status!: 'complete' | 'repaired' | 'failed';

  @ApiProperty({ nullable: true, type: String, description: 'why the folder could not be proven complete' })
  error!: string | null;
}

export class AuditStatusView {
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'an audit you asked for that has not finished yet (null: none pending)',
  })
  requestedAt!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'the end of the latest audit whose folders were all complete or repaired',
  })
  lastProvenCompleteAt!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'the latest audit' })
  checkedAt!: string | null;

  @ApiProperty({
    enum: STATUSES,
    nullable: true,
    description: 'the latest audit: failed if any folder failed',
  })
  status!: 'complete' | 'repaired' | 'failed' | null;

  @ApiProperty({ type: [AuditFolderView], description: 'the folders of the latest audit' })
  folders!: AuditFolderView[];
}

export class AuditRequestedView {
  @ApiProperty({ format: 'date-time', description: 'when the pending audit was asked for' })
  requestedAt!: string;

  @ApiProperty({
    description: 'true: an audit you asked for earlier is still pending, and this request joined it',
  })
  alreadyPending!: boolean;
}
