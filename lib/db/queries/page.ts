// Keyset pagination for the staff area's lists ("rows after this one", by an indexed order), so page
// 2,000 costs what page 1 costs on 100k rows; the cursor is the last row's id and its sort key is
// read back from the primary key.

export interface Page<T> {
  rows: T[];
  /** Cursor of the next page, or null on the last one. */
  next: string | null;
}

/** The first `limit` of `rows` (queried with limit + 1) and the cursor of the next page when there is one. */
export function page<T>(rows: T[], limit: number, cursor: (row: T) => string): Page<T> {
  if (rows.length <= limit) return { rows, next: null };
  const shown = rows.slice(0, limit);
  return { rows: shown, next: cursor(shown[shown.length - 1]) };
}

/** LIKE pattern matching `s` anywhere, with %, _ and \ taken literally. */
export const contains = (s: string) => `%${s.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
