import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { col, defineTable, RowOf, selectList } from '@core-email/platform';

export const usersTable = defineTable({
  name: 'users',
  columns: {
    id: col.uuid(),
    /** Unique regardless of case (users_email_lower_key). */
    email: col.text(),
    user_name: col.text(),
    password_hash: col.text(),
    created_at: col.timestamptz(),
    last_login: col.timestamptz().orNull(),
  },
  indexes: { users_email_lower_key: 'UNIQUE USING btree (lower(email))' },
});

export type User = RowOf<typeof usersTable>;

export type NewUser = Pick<User, 'email' | 'userName' | 'passwordHash'>;

const COLUMNS = selectList(usersTable);

/**
 * Every query on `users`. All on the primary (DataSource.query uses a master query runner): account reads
 * follow the caller's own writes (sign-up then log-in, a password change) too closely to risk replica lag,
 * and they are cheap.
 */
@Injectable()
export class UsersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Throws a unique violation (users_email_lower_key) when the email is taken, whatever its case. */
  async create(user: NewUser): Promise<User> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO users (email, user_name, password_hash) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
      [user.email, user.userName, user.passwordHash],
    )) as User[];
    return row;
  }

  async findByEmail(email: string): Promise<User | null> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`, [
      email,
    ])) as User[];
    return rows[0] ?? null;
  }

  async findById(id: string): Promise<User | null> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id])) as User[];
    return rows[0] ?? null;
  }

  async updatePassword(id: string, passwordHash: string): Promise<void> {
    await this.dataSource.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [id, passwordHash]);
  }

  async touchLastLogin(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE users SET last_login = now() WHERE id = $1`, [id]);
  }

  /** The user's connection, tokens and mail go with them (foreign keys ON DELETE CASCADE). */
  async delete(id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM users WHERE id = $1`, [id]);
  }
}
