// Reading raw rows (query()): the drivers return timestamps differently (PGlite: Date; postgres.js
// under drizzle: the server's text), so every raw timestamp is read through these.

/** A timestamp column's value as a Date. */
export const dateOf = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

/** A nullable timestamp column's value as a Date, or null. */
export const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : dateOf(v));

/** A timestamp parameter (ISO 8601, cast with ::timestamptz in the statement), or null. */
export const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);
