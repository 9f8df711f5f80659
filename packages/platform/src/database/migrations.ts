import { CreateUsers1764280000000 } from './migrations/1764280000000-create-users';
import { CreateOutlookAccounts1764290000000 } from './migrations/1764290000000-create-outlook-accounts';
import { CreateMailTables1764300000000 } from './migrations/1764300000000-create-mail-tables';
import { FreeDisconnectedMsAccounts1764310000000 } from './migrations/1764310000000-free-disconnected-ms-accounts';
import { CreateGraphSubscriptions1764320000000 } from './migrations/1764320000000-create-graph-subscriptions';
import { DropEmailSearchVector1764330000000 } from './migrations/1764330000000-drop-email-search-vector';
import { SubscriptionImmutableIds1764340000000 } from './migrations/1764340000000-subscription-immutable-ids';
import { CreateMailAudits1764350000000 } from './migrations/1764350000000-create-mail-audits';
import { CreateOutbox1764360000000 } from './migrations/1764360000000-create-outbox';

/** In order. A migration, once merged, is never edited: add a new one. */
export const MIGRATIONS = [
  CreateUsers1764280000000,
  CreateOutlookAccounts1764290000000,
  CreateMailTables1764300000000,
  FreeDisconnectedMsAccounts1764310000000,
  CreateGraphSubscriptions1764320000000,
  DropEmailSearchVector1764330000000,
  SubscriptionImmutableIds1764340000000,
  CreateMailAudits1764350000000,
  CreateOutbox1764360000000,
];
