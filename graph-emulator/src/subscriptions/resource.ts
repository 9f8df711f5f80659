// Which mail resources a subscription may watch: the whole mailbox or one folder's messages.
//   me/messages · users/{id|upn}/messages · me/mailFolders('{id}')/messages · users/{id}/mailFolders/{id}/messages
import { GraphError } from '../http/errors';

export interface ResourceRef {
  /** 'me' or the user id / address from users/{…} */
  user: string;
  folder?: string;
}

const PATTERN =
  /^\/?(me|users\/([^/()']+)|users\('([^']+)'\))\/(messages|mailfolders\/([^/()']+)\/messages|mailfolders\('([^']+)'\)\/messages)\/?$/i;

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new GraphError(400, 'InvalidRequest', `Resource segment '${text}' is not valid.`);
  }
}

export function parseResource(resource: string): ResourceRef {
  if (resource.includes('?')) {
    throw new GraphError(
      400,
      'InvalidRequest',
      'The emulator does not support query options ($filter, $select) in subscription resources.',
    );
  }
  const m = PATTERN.exec(resource.trim());
  if (!m)
    throw new GraphError(
      400,
      'InvalidRequest',
      `Resource '${resource}' is not supported. Subscribe to messages of a mailbox or of a mail folder.`,
    );
  const user = m[1].toLowerCase() === 'me' ? 'me' : decode(m[2] ?? m[3]);
  const folder = m[5] ?? m[6];
  return { user, folder: folder === undefined ? undefined : decode(folder) };
}
