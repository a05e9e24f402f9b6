// Token state in SQL: the same definition as tokenState() in lib/oauth/store.ts (revoked, then used,
// then expired, else active), for every statement that filters, labels, revokes or deletes by state.
// test/features/storage/token-store.test.ts checks that both definitions agree on every state.
import { sql, type SQL } from 'drizzle-orm';
import type { TokenKind, TokenState } from '../../oauth/store';

/** Which column holds each timestamp of the state, per stored kind (null: the kind has none). */
const COLUMNS: Record<TokenKind, { revoked: string | null; used: string | null; expires: string }> = {
  access: { revoked: 'revoked_at', used: null, expires: 'expires_at' },
  refresh: { revoked: 'revoked_at', used: 'rotated_at', expires: 'expires_at' },
  code: { revoked: null, used: 'consumed_at', expires: 'expires_at' },
};

export interface StateSql {
  /** revoked_at is set. */
  revoked: SQL;
  /** A refresh token was rotated, a code redeemed (or voided). */
  used: SQL;
  /** expires_at is set and not in the future (whatever else holds). */
  pastExpiry: SQL;
  /** The one state this row is in, by the precedence of tokenState(): revoked, used, expired, active. */
  is: (state: TokenState) => SQL;
  /** The state as text: 'active' | 'expired' | 'revoked' | 'used'. */
  label: SQL;
}

/**
 * The state predicates of `kind`'s table, with its columns qualified by `alias` (the table name or
 * the alias the statement gives it), e.g. `const rt = tokenStateSql('refresh', 'rt')` then
 * `WHERE ${rt.is('active')}`. Timestamps compare with now(): one instant per transaction.
 */
export function tokenStateSql(kind: TokenKind, alias: string): StateSql {
  const c = COLUMNS[kind];
  const col = (name: string) => sql.raw(`${alias}.${name}`);
  const revoked = c.revoked ? sql`(${col(c.revoked)} IS NOT NULL)` : sql`false`;
  const used = c.used ? sql`(${col(c.used)} IS NOT NULL)` : sql`false`;
  const pastExpiry = sql`(${col(c.expires)} IS NOT NULL AND ${col(c.expires)} <= now())`;
  const is = (state: TokenState): SQL => {
    if (state === 'revoked') return revoked;
    if (state === 'used') return sql`(NOT ${revoked} AND ${used})`;
    if (state === 'expired') return sql`(NOT ${revoked} AND NOT ${used} AND ${pastExpiry})`;
    return sql`(NOT ${revoked} AND NOT ${used} AND NOT ${pastExpiry})`;
  };
  const label = sql`(CASE WHEN ${revoked} THEN 'revoked' WHEN ${used} THEN 'used' WHEN ${pastExpiry} THEN 'expired' ELSE 'active' END)`;
  return { revoked, used, pastExpiry, is, label };
}
