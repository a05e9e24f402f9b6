// zod schemas of the admin area: the list filters (from the query string) and the action forms.
// Pure: no Node or Next.js imports. A malformed filter is dropped (the list shows unfiltered),
// never an error page: these URLs are typed and edited by hand.
import { z } from 'zod';
import type { AuditType } from '../db/queries/audit';

export const PAGE_SIZE = 50;

export const AUDIT_TYPES = [
  'login.success',
  'login.failure',
  'login.throttled',
  'user.signup',
  'user.password_changed',
  'consent.granted',
  'consent.denied',
  'consent.revoked',
  'token.issued',
  'token.revoked',
  'code.replayed',
  'refresh.reuse_detected',
  'client.auth_failed',
  'client.auth_throttled',
  'application.created',
  'application.updated',
  'application.deleted',
  'application.secret_reset',
  'device.approved',
  'device.denied',
  'admin.action',
] as const satisfies readonly AuditType[];

export const TOKEN_KINDS = ['access', 'refresh', 'code'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];
export const TOKEN_KIND_LABELS: Record<TokenKind, string> = {
  access: 'Access tokens',
  refresh: 'Refresh tokens',
  code: 'Authorization codes (grants)',
};

/** `used`: a rotated refresh token, or a redeemed (or voided) authorization code. */
export const TOKEN_STATES = ['active', 'expired', 'revoked', 'used'] as const;
export type TokenState = (typeof TOKEN_STATES)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ID = /^[1-9][0-9]{0,15}$/;

export type SearchParams = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** Each field parsed on its own: a bad one becomes its default, the others still apply. */
function pick<T extends z.ZodRawShape>(shape: T, sp: SearchParams): z.infer<z.ZodObject<T>> {
  const out: Record<string, unknown> = {};
  for (const [k, schema] of Object.entries(shape)) {
    const r = (schema as z.ZodType).safeParse(first(sp[k]));
    out[k] = r.success ? r.data : (schema as z.ZodType).parse(undefined);
  }
  return out as z.infer<z.ZodObject<T>>;
}

const text = (max: number) => z.string().trim().max(max).optional().default('');
const idCursor = z.string().regex(ID).optional();
const uuidCursor = z.string().regex(UUID).optional();

const userFilterShape = { q: text(150), after: uuidCursor };
export type UserFilters = z.infer<z.ZodObject<typeof userFilterShape>>;
export const parseUserFilters = (sp: SearchParams): UserFilters => pick(userFilterShape, sp);

const appFilterShape = { q: text(200), after: idCursor };
export type AppFilters = z.infer<z.ZodObject<typeof appFilterShape>>;
export const parseAppFilters = (sp: SearchParams): AppFilters => pick(appFilterShape, sp);

const tokenFilterShape = {
  kind: z.enum(TOKEN_KINDS).optional().default('access'),
  /** Application: numeric id or client_id. */
  app: text(200),
  /** User: username or id. */
  user: text(150),
  state: z.enum(TOKEN_STATES).optional(),
  after: idCursor,
};
export type TokenFilters = z.infer<z.ZodObject<typeof tokenFilterShape>>;
export const parseTokenFilters = (sp: SearchParams): TokenFilters => pick(tokenFilterShape, sp);

const auditFilterShape = {
  type: z.enum(AUDIT_TYPES).optional(),
  /** Actor: username (also matches the label of failed logins) or user id. */
  actor: text(150),
  app: text(200),
  ip: text(64),
  after: idCursor,
};
export type AuditFilters = z.infer<z.ZodObject<typeof auditFilterShape>>;
export const parseAuditFilters = (sp: SearchParams): AuditFilters => pick(auditFilterShape, sp);

// --- action forms ---------------------------------------------------------------------------------

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const userFlagForm = z.object({ user_id: z.string().regex(UUID, 'Unknown user.'), value: bool });
export const revokeTokensForm = z.object({
  kind: z.enum(TOKEN_KINDS),
  ids: z
    .array(z.string().regex(ID).transform(Number))
    .min(1, 'Select at least one row.')
    .max(PAGE_SIZE * 4, 'Too many rows selected.'),
});
export const applicationIdForm = z.object({ id: z.string().regex(ID).transform(Number) });

export const isUuid = (s: string) => UUID.test(s);
export const isNumericId = (s: string) => ID.test(s);

/** Rebuilds a list URL from its filters (dropping empty ones), e.g. for the Next page link. */
export function listHref(path: string, params: Record<string, string | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
