import { CreateUsers1764280000000 } from './migrations/1764280000000-create-users';
import { CreateOutlookAccounts1764290000000 } from './migrations/1764290000000-create-outlook-accounts';
import { CreateMailTables1764300000000 } from './migrations/1764300000000-create-mail-tables';
import { FreeDisconnectedMsAccounts1764310000000 } from './migrations/1764310000000-free-disconnected-ms-accounts';

/** In order. A migration, once merged, is never edited: add a new one. */
export const MIGRATIONS = [
  CreateUsers1764280000000,
  CreateOutlookAccounts1764290000000,
  CreateMailTables1764300000000,
  FreeDisconnectedMsAccounts1764310000000,
];
