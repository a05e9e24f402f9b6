// statement()'s rendering: each placeholder is one parameter however often the SQL uses it.
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { bindEachPlaceholderOnce } from './index';

const render = (q: ReturnType<typeof sql>) => bindEachPlaceholderOnce(new PgDialect().sqlToQuery(q));

describe('bindEachPlaceholderOnce', () => {
  it('renumbers every later use of a placeholder to its first, and keeps one parameter per value', () => {
    const a = sql.placeholder('a');
    const b = sql.placeholder('b');
    const q = render(sql`SELECT ${a}::text, ${b}::int, ${a}::text, ${'x'}::text, ${b}::int, ${a}::text, ${'y'}::text`);
    expect(q.sql).toBe('SELECT $1::text, $2::int, $1::text, $3::text, $2::int, $1::text, $4::text');
    expect(q.params).toHaveLength(4);
    expect(q.params[2]).toBe('x');
    expect(q.params[3]).toBe('y');
  });

  it('leaves $10 and above whole (no $1 read inside $12)', () => {
    const ps = Array.from({ length: 12 }, (_, i) => sql.placeholder(`p${i}`));
    const q = render(sql`SELECT ${sql.join([...ps, ps[11], ps[0]], sql`, `)}`);
    expect(q.sql).toBe(`SELECT ${Array.from({ length: 12 }, (_, i) => `$${i + 1}`).join(', ')}, $12, $1`);
    expect(q.params).toHaveLength(12);
  });
});
