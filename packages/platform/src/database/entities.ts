import { OutlookAccountEntity } from './entities/outlook-account.entity';
import { UserEntity } from './entities/user.entity';

export const ENTITIES = [UserEntity, OutlookAccountEntity];
