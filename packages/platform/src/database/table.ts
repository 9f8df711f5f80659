/**
 * How code describes a table, once: its columns (PostgreSQL type, nullability) and the indexes its queries
 * rely on. The repository that owns the table exports it; its column lists and row type come from it, and the
 * schema drift test (`schemaDrift`) compares it with the migrated database. The migrations stay the only
 * description of the database itself.
 */

/** A column type as PostgreSQL's format_type() names it. */
export type PgType =
  | 'uuid'
  | 'text'
  | 'text[]'
  | 'integer'
  | 'bigint'
  | 'boolean'
  | 'timestamp with time zone'
  | 'jsonb'
  | 'bytea';

/** `T` is the value the pg driver gives for the column (bigint comes back as a string). */
export interface Column<T> {
  readonly type: PgType;
  readonly nullable: boolean;
  /** Carries `T` for RowOf; never set. */
  readonly value?: T;
}

export interface NotNullColumn<T> extends Column<T> {
  orNull(): Column<T | null>;
}

function column<T>(type: PgType): NotNullColumn<T> {
  return { type, nullable: false, orNull: () => ({ type, nullable: true }) };
}

export const col = {
  uuid: () => column<string>('uuid'),
  /** `T` narrows a text column to the values its CHECK constraint allows. */
  text: <T extends string = string>() => column<T>('text'),
  textArray: () => column<string[]>('text[]'),
  integer: () => column<number>('integer'),
  bigint: () => column<string>('bigint'),
  boolean: () => column<boolean>('boolean'),
  timestamptz: () => column<Date>('timestamp with time zone'),
  jsonb: <T = unknown>() => column<T>('jsonb'),
  bytea: () => column<Buffer>('bytea'),
};

type Columns = Record<string, Column<unknown>>;

export interface Table<C extends Columns = Columns> {
  readonly name: string;
  /** Every column, by its name in the database. */
  readonly columns: C;
  /**
   * Indexes the queries rely on (ON CONFLICT targets, keyset pages, partial uniqueness), each with its
   * definition as pg_indexes gives it after `ON <table>`, with `UNIQUE ` in front if it is unique, e.g.
   * `USING btree (user_id, started_at DESC)` or `UNIQUE USING btree (lower(email))`.
   */
  readonly indexes: Readonly<Record<string, string>>;
}

export function defineTable<C extends Columns>(table: Table<C>): Table<C> {
  return table;
}

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

type ValueOf<K> = K extends Column<infer T> ? T : never;

/** A row of the table as its repository returns it: camelCase keys (see `selectList`). */
export type RowOf<T extends Table, K extends keyof T['columns'] = keyof T['columns']> = {
  [N in K & string as CamelCase<N>]: ValueOf<T['columns'][N]>;
};

const camelCase = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * A SELECT (or RETURNING) list giving rows as RowOf: `user_id AS "userId", …`. `alias` qualifies the
 * columns (`e.user_id`) when the query joins tables.
 */
export function selectList<T extends Table, K extends keyof T['columns'] & string>(
  table: T,
  names: readonly K[] = Object.keys(table.columns) as K[],
  alias?: string,
): string {
  const prefix = alias ? `${alias}.` : '';
  return names
    .map((name) => {
      const key = camelCase(name);
      return key === name ? `${prefix}${name}` : `${prefix}${name} AS "${key}"`;
    })
    .join(', ');
}
