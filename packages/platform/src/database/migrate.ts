import { DataSource } from 'typeorm';
import { buildDataSourceOptions, DatabaseSettings } from './data-source-options';

/** Applies pending migrations on the primary; returns the names it applied. */
export async function runMigrations(settings: DatabaseSettings): Promise<string[]> {
  const dataSource = new DataSource({
    ...buildDataSourceOptions({ ...settings, replicaUrls: [] }),
    poolSize: 2,
  });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}
