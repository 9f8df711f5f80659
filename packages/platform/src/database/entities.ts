import { EmailEntity } from './entities/email.entity';
import { GraphSubscriptionEntity } from './entities/graph-subscription.entity';
import { MailFolderEntity } from './entities/mail-folder.entity';
import { OutlookAccountEntity } from './entities/outlook-account.entity';
import { SyncRunEntity } from './entities/sync-run.entity';
import { UserEntity } from './entities/user.entity';

export const ENTITIES = [
  UserEntity,
  OutlookAccountEntity,
  MailFolderEntity,
  EmailEntity,
  SyncRunEntity,
  GraphSubscriptionEntity,
];
