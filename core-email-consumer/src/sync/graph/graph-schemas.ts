// zod 4 (shipped in the pinned zod 3.25 as `zod/v4`): it checks a page of 1,000 messages several times faster
// than zod 3, which made validation the sync's largest CPU cost.
import { z } from 'zod/v4';

// Graph's answers are input like any other: each is checked here before the sync trusts a field of it.

// Graph's ids are base64 text; anything else (spaces, control characters, non-ASCII) is not an id of Graph's.
const graphId = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[\x21-\x7e]+$/);
const text = z.string().max(1_000_000);
const time = z.iso.datetime({ offset: true });

const emailAddress = z
  .object({
    emailAddress: z
      .object({ name: z.string().max(1_000).nullish(), address: z.string().max(1_000).nullish() })
      .nullish(),
  })
  .nullish();

const recipients = z.array(emailAddress).max(10_000).nullish();

export const graphMessageSchema = z.object({
  id: graphId,
  internetMessageId: z.string().max(2_000).nullish(),
  conversationId: z.string().max(2_000).nullish(),
  parentFolderId: z.string().max(512).nullish(),
  sender: emailAddress,
  from: emailAddress,
  toRecipients: recipients,
  ccRecipients: recipients,
  bccRecipients: recipients,
  subject: text.nullish(),
  bodyPreview: text.nullish(),
  body: z.object({ contentType: z.string().max(20).nullish(), content: z.string().nullish() }).nullish(),
  importance: z.enum(['low', 'normal', 'high']).nullish(),
  hasAttachments: z.boolean().nullish(),
  isRead: z.boolean().nullish(),
  isDraft: z.boolean().nullish(),
  flag: z.object({ flagStatus: z.enum(['notFlagged', 'complete', 'flagged']).nullish() }).nullish(),
  receivedDateTime: time.nullish(),
  sentDateTime: time.nullish(),
  lastModifiedDateTime: time.nullish(),
  changeKey: z.string().max(512).nullish(),
  categories: z.array(z.string().max(1_000)).max(1_000).nullish(),
  webLink: z.string().max(8_000).nullish(),
});
export type GraphMessage = z.infer<typeof graphMessageSchema>;

/** A message deleted or moved out of the folder since the last round. */
export const graphRemovedSchema = z.object({
  id: graphId,
  '@removed': z.looseObject({ reason: z.string().max(100).optional() }),
});

/** The page envelope; items are checked one by one so one bad item does not sink the page. */
export const graphDeltaPageSchema = z.object({
  value: z.array(z.unknown()).max(10_000),
  '@odata.nextLink': z.url().optional(),
  '@odata.deltaLink': z.url().optional(),
});

export const graphFolderSchema = z.object({
  id: graphId,
  displayName: z.string().max(1_000).nullish(),
  parentFolderId: z.string().max(512).nullish(),
  childFolderCount: z.number().int().nonnegative().nullish(),
  totalItemCount: z.number().int().nonnegative().nullish(),
  unreadItemCount: z.number().int().nonnegative().nullish(),
});
export type GraphFolder = z.infer<typeof graphFolderSchema>;

export const graphFolderPageSchema = z.object({
  value: z.array(z.unknown()).max(10_000),
  '@odata.nextLink': z.url().optional(),
});

/** The properties the sync stores (body included), asked for with $select on the first delta request. */
export const MESSAGE_SELECT = [
  'id',
  'internetMessageId',
  'conversationId',
  'parentFolderId',
  'sender',
  'from',
  'toRecipients',
  'ccRecipients',
  'bccRecipients',
  'subject',
  'bodyPreview',
  'body',
  'importance',
  'hasAttachments',
  'isRead',
  'isDraft',
  'flag',
  'receivedDateTime',
  'sentDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'categories',
  'webLink',
];
