// The mailbox's query keys. Everything under MAIL_KEY (the audit too) is refetched when the server's events
// say the mailbox changed: one invalidateQueries({ queryKey: MAIL_KEY }).
import { USER_KEY } from '../../../lib/query-client';

export const MAIL_KEY = [USER_KEY, 'mail'];
