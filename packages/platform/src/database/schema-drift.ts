import type { DataSource } from 'typeorm';
import type { Table } from './table';

interface ColumnRow {
  table_name: string;
  column_name: string;
  type: string;
  not_null: boolean;
}

interface IndexRow {
  tablename: string;
  indexname: string;
  indexdef: string;
}

/**
 * Where the migrated schema and the code's table descriptions disagree, one line per difference (none: they
 * agree): a column missing on either side, another type or nullability, a required index missing or defined
 * otherwise. Reads the catalogs of the database `db` is connected to.
 */
export async function schemaDrift(db: DataSource, tables: readonly Table[]): Promise<string[]> {
  const names = tables.map((t) => t.name);
  const columns = (await db.query(
    `SELECT c.relname AS table_name, a.attname AS column_name,
            format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname = ANY($1::text[])
        AND a.attnum > 0 AND NOT a.attisdropped`,
    [names],
  )) as ColumnRow[];
  const indexes = (await db.query(
    `SELECT tablename, indexname, indexdef FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename = ANY($1::text[])`,
    [names],
  )) as IndexRow[];
  return tables.flatMap((t) => [
    ...columnDrift(
      t,
      columns.filter((c) => c.table_name === t.name),
    ),
    ...indexDrift(
      t,
      indexes.filter((i) => i.tablename === t.name),
    ),
  ]);
}

function columnDrift(table: Table, actual: ColumnRow[]): string[] {
  if (actual.length === 0) return [`${table.name}: no such table`];
  const drift: string[] = [];
  const byName = new Map(actual.map((c) => [c.column_name, c]));
  for (const [name, declared] of Object.entries(table.columns)) {
    const found = byName.get(name);
    const where = `${table.name}.${name}`;
    if (!found) {
      drift.push(`${where}: declared, not in the database`);
      continue;
    }
    if (found.type !== declared.type)
      drift.push(`${where}: ${found.type} in the database, ${declared.type} in code`);
    if (found.not_null === declared.nullable) {
      drift.push(`${where}: ${found.not_null ? 'NOT NULL' : 'nullable'} in the database, not in code`);
    }
  }
  for (const name of byName.keys()) {
    if (!(name in table.columns)) drift.push(`${table.name}.${name}: in the database, not declared`);
  }
  return drift;
}

function indexDrift(table: Table, actual: IndexRow[]): string[] {
  const byName = new Map(actual.map((i) => [i.indexname, i.indexdef]));
  return Object.entries(table.indexes).flatMap(([name, declared]) => {
    const found = byName.get(name);
    if (!found) return [`${table.name}: index ${name} is not in the database`];
    const [, unique, rest] = /^CREATE (UNIQUE )?INDEX \S+ ON \S+ (.*)$/.exec(found) ?? [];
    const definition = `${unique ?? ''}${rest}`;
    return definition === declared
      ? []
      : [`${table.name}: index ${name} is "${definition}", code says "${declared}"`];
  });
}
