import { CreateUsers1764280000000 } from './migrations/1764280000000-create-users';

/** In order. A migration, once merged, is never edited: add a new one. */
export const MIGRATIONS = [CreateUsers1764280000000];
