import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { UserEntity } from '@core-email/platform';

/**
 * Every query on `users`. Account reads go to the primary: they follow the caller's own writes (sign-up then
 * log-in, a password change) too closely to risk replica lag, and they are cheap.
 */
@Injectable()
export class UsersRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(email: string, userName: string, passwordHash: string): Promise<UserEntity> {
    const result = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(UserEntity)
      .values({ email, userName, passwordHash })
      .returning('*')
      .execute();
    const [row] = result.raw as Array<Record<string, unknown>>;
    return this.dataSource.getRepository(UserEntity).create({
      id: row.id as string,
      email: row.email as string,
      userName: row.user_name as string,
      passwordHash: row.password_hash as string,
      createdAt: row.created_at as Date,
      lastLogin: row.last_login as Date | null,
    });
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.onPrimary((m) =>
      m
        .getRepository(UserEntity)
        .createQueryBuilder('u')
        .where('lower(u.email) = lower(:email)', { email })
        .getOne(),
    );
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.onPrimary((m) => m.getRepository(UserEntity).findOneBy({ id }));
  }

  async updatePassword(id: string, passwordHash: string): Promise<void> {
    await this.dataSource.getRepository(UserEntity).update({ id }, { passwordHash });
  }

  async touchLastLogin(id: string): Promise<void> {
    await this.dataSource.getRepository(UserEntity).update({ id }, { lastLogin: () => 'now()' });
  }

  /** The user's connection, tokens and mail go with them (foreign keys ON DELETE CASCADE). */
  async delete(id: string): Promise<void> {
    await this.dataSource.getRepository(UserEntity).delete({ id });
  }

  private async onPrimary<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner('master');
    try {
      return await work(runner.manager);
    } finally {
      await runner.release();
    }
  }
}
