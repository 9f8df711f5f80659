import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A name and address as Graph gives them. */
export interface EmailRecipient {
  name: string | null;
  address: string | null;
}

/** One message of a user's mailbox, keyed by Graph's immutable id (it survives moves). */
@Entity({ name: 'emails' })
export class EmailEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'graph_id', type: 'text' })
  graphId!: string;

  @Column({ name: 'internet_message_id', type: 'text', nullable: true })
  internetMessageId!: string | null;

  @Column({ name: 'conversation_id', type: 'text', nullable: true })
  conversationId!: string | null;

  @Column({ name: 'folder_graph_id', type: 'text' })
  folderGraphId!: string;

  @Column({ name: 'sender_name', type: 'text', nullable: true })
  senderName!: string | null;

  @Column({ name: 'sender_address', type: 'text', nullable: true })
  senderAddress!: string | null;

  @Column({ name: 'from_name', type: 'text', nullable: true })
  fromName!: string | null;

  @Column({ name: 'from_address', type: 'text', nullable: true })
  fromAddress!: string | null;

  @Column({ name: 'to_recipients', type: 'jsonb' })
  toRecipients!: EmailRecipient[];

  @Column({ name: 'cc_recipients', type: 'jsonb' })
  ccRecipients!: EmailRecipient[];

  @Column({ name: 'bcc_recipients', type: 'jsonb' })
  bccRecipients!: EmailRecipient[];

  @Column({ type: 'text', nullable: true })
  subject!: string | null;

  @Column({ name: 'body_preview', type: 'text', nullable: true })
  bodyPreview!: string | null;

  @Column({ name: 'body_content', type: 'text', nullable: true })
  bodyContent!: string | null;

  @Column({ name: 'body_type', type: 'text', nullable: true })
  bodyType!: string | null;

  @Column({ type: 'text', nullable: true })
  importance!: string | null;

  @Column({ name: 'has_attachments', type: 'boolean' })
  hasAttachments!: boolean;

  @Column({ name: 'is_read', type: 'boolean' })
  isRead!: boolean;

  @Column({ name: 'is_draft', type: 'boolean' })
  isDraft!: boolean;

  @Column({ name: 'flag_status', type: 'text', nullable: true })
  flagStatus!: string | null;

  @Column({ name: 'received_at', type: 'timestamptz', nullable: true })
  receivedAt!: Date | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'last_modified_at', type: 'timestamptz', nullable: true })
  lastModifiedAt!: Date | null;

  @Column({ name: 'change_key', type: 'text', nullable: true })
  changeKey!: string | null;

  @Column({ type: 'text', array: true })
  categories!: string[];

  @Column({ name: 'web_link', type: 'text', nullable: true })
  webLink!: string | null;

  /** The delta round that last wrote the row (see the create-mail-tables migration). */
  @Column({ name: 'sync_round', type: 'bigint', nullable: true })
  syncRound!: string | null;
}
