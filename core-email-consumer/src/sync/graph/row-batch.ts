import { EMAIL_COLUMNS } from '../repositories/emails.repository';
import type { EmailRow } from './email-row';

/**
 * Rows as PostgreSQL receives them: one JSON document (one parameter, one round trip, no parameter limit)
 * holding one array of values per row in EMAIL_COLUMNS order, with their ids beside it. A page becomes a
 * batch as soon as it is checked, so its thousands of row objects die young instead of being copied and
 * promoted by the GC while the write awaits (a megabyte string is never copied). Rows come from toEmailRow,
 * whose text is already storable (see storableText), so the document goes as it is.
 */
export class RowBatch {
  private constructor(
    readonly ids: string[],
    readonly json: string,
  ) {}

  static of(rows: EmailRow[]): RowBatch {
    return new RowBatch(
      rows.map((r) => r.graph_id),
      JSON.stringify(rows.map(valuesOf)),
    );
  }

  get size(): number {
    return this.ids.length;
  }
}

function valuesOf(row: EmailRow): unknown[] {
  return EMAIL_COLUMNS.map(([name]) => row[name]);
}
