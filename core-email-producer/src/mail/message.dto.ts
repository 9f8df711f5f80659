import { ApiProperty } from '@nestjs/swagger';

/** Views are plain JSON (ISO strings, no Date) because the read cache stores them as they are sent. */
export class AddressView {
  @ApiProperty({ nullable: true, type: String, example: 'Megan Bowen' })
  name!: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'megan@contoso.test' })
  address!: string | null;
}

/** A row of the mail table: the original dashboard's columns. */
export class MessageSummaryView {
  @ApiProperty({ description: "Graph's immutable message id" })
  id!: string;

  @ApiProperty({ description: "Graph id of the message's folder" })
  folderId!: string;

  @ApiProperty({ description: "the owner's user name" })
  userName!: string;

  @ApiProperty({ type: AddressView })
  sender!: AddressView;

  @ApiProperty({ type: AddressView })
  from!: AddressView;

  @ApiProperty({ type: [AddressView] })
  toRecipients!: AddressView[];

  @ApiProperty({ nullable: true, type: String })
  subject!: string | null;

  @ApiProperty({ nullable: true, type: String })
  bodyPreview!: string | null;

  @ApiProperty({ nullable: true, type: String, enum: ['low', 'normal', 'high'] })
  importance!: 'low' | 'normal' | 'high' | null;

  @ApiProperty()
  hasAttachments!: boolean;

  @ApiProperty()
  isRead!: boolean;

  @ApiProperty({ nullable: true, type: String, enum: ['notFlagged', 'flagged', 'complete'] })
  flagStatus!: 'notFlagged' | 'flagged' | 'complete' | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  receivedAt!: string | null;
}

export class MessagePageView {
  @ApiProperty({ type: [MessageSummaryView], description: 'newest first (received time, then row order)' })
  items!: MessageSummaryView[];

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'pass as `cursor` for the next page; null on the last page',
  })
  nextCursor!: string | null;
}

export class MessageBodyView {
  @ApiProperty({ nullable: true, type: String })
  content!: string | null;

  @ApiProperty({ nullable: true, type: String, enum: ['text', 'html'] })
  contentType!: 'text' | 'html' | null;
}

/** One message in full. */
export class MessageView extends MessageSummaryView {
  @ApiProperty({ type: MessageBodyView })
  body!: MessageBodyView;

  @ApiProperty({ type: [AddressView] })
  ccRecipients!: AddressView[];

  @ApiProperty({ type: [AddressView] })
  bccRecipients!: AddressView[];

  @ApiProperty({ type: [String] })
  categories!: string[];

  @ApiProperty()
  isDraft!: boolean;

  @ApiProperty({ nullable: true, type: String })
  webLink!: string | null;

  @ApiProperty({ nullable: true, type: String })
  internetMessageId!: string | null;

  @ApiProperty({ nullable: true, type: String })
  conversationId!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  sentAt!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastModifiedAt!: string | null;
}
