import { UserEntity } from './entities/user.entity';

export const ENTITIES = [UserEntity];
