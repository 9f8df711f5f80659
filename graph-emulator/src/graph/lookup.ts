// Resolving folder and message ids from the path: malformed ids get 400 ErrorInvalidIdMalformed, well-formed
// unknown ones 404 ErrorItemNotFound, as Graph does. Message ids are accepted in both formats (immutable and
// default REST ids), whatever the request's Prefer header says, as Graph does.
import { GraphError, graphErrors } from '../http/errors';
import type { Folder, Mailbox } from '../store/mailbox';
import { findByAnyId } from '../store/message-ids';
import type { MessageRecord } from '../store/types';

const ID_SHAPE = /^AAMk[A-Za-z0-9_-]{8,400}={0,2}$/;
const WELL_KNOWN_NAME = /^[a-z]{3,40}$/i;

function malformed(): GraphError {
  return new GraphError(400, 'ErrorInvalidIdMalformed', 'Id is malformed.');
}

export function findFolder(mailbox: Mailbox, idOrName: string): Folder {
  const folder = mailbox.resolveFolder(idOrName);
  if (folder) return folder;
  if (!ID_SHAPE.test(idOrName) && !WELL_KNOWN_NAME.test(idOrName)) throw malformed();
  throw graphErrors.folderNotFound();
}

export function findMessage(mailbox: Mailbox, id: string, folder?: Folder): MessageRecord {
  const msg = findByAnyId(mailbox.messages, id);
  if (msg && (!folder || msg.folderId === folder.record.id)) return msg;
  if (!ID_SHAPE.test(id)) throw malformed();
  throw graphErrors.notFound();
}
