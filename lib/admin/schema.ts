// zod schemas of the admin area: the list filters (from the query string) and the action forms.
// Pure: no Node or Next.js imports. Never an error page for a filter: these URLs are typed and
// edited by hand. A text filter that breaks its field rule gets its message next to its field.
import { z } from 'zod';
import type { AuditType } from '../db/queries/audit';
import { TOKEN_KINDS, TOKEN_STATES, type TokenKind, type TokenState } from '../oauth/store';
import { filterText, isRowId, rowIdField, uuidField, visibleText } from '../fields';

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

// The token kinds and states are the token store's (lib/oauth/store.ts); the filters offer them.
export { TOKEN_KINDS, TOKEN_STATES, type TokenKind, type TokenState };
export const TOKEN_KIND_LABELS: Record<TokenKind, string> = {
  access: 'Access tokens',
  refresh: 'Refresh tokens',
  code: 'Authorization codes (grants)',
};


export type SearchParams = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** A list's filters as parsed, with the message for each filter that was refused (shown next to its field). */
export type Parsed<T> = T & {
  /** Filter name → why its value was refused; a refused filter is not applied (the page lists nothing until it is fixed). */
  errors: Partial<Record<keyof T & string, string>>;
  /** Refused values as typed, shown back in their fields (control characters made visible). */
  typed: Partial<Record<keyof T & string, string>>;
};

/**
 * Each field parsed on its own. A malformed cursor or choice (a link edited by hand) becomes its
 * default; a text filter that breaks its rule (lib/fields.ts: control characters, length) is
 * refused with its message, never silently dropped nor passed to a query.
 */
function pick<T extends z.ZodRawShape>(shape: T, textFields: readonly (keyof T & string)[], sp: SearchParams): Parsed<z.infer<z.ZodObject<T>>> {
  const out: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const typed: Record<string, string> = {};
  for (const [k, schema] of Object.entries(shape)) {
    const raw = first(sp[k]);
    const r = (schema as z.ZodType).safeParse(raw);
    out[k] = r.success ? r.data : (schema as z.ZodType).parse(undefined);
    if (!r.success && textFields.includes(k) && typeof raw === 'string') {
      errors[k] = r.error.issues[0]?.message ?? 'Invalid filter.';
      typed[k] = visibleText(raw.slice(0, 1000));
    }
  }
  return { ...(out as z.infer<z.ZodObject<T>>), errors, typed } as Parsed<z.infer<z.ZodObject<T>>>;
}

const idCursor = z.string().refine(isRowId).optional();
const uuidCursor = uuidField().optional();

const userFilterShape = { q: filterText(150), after: uuidCursor };
export type UserFilters = z.infer<z.ZodObject<typeof userFilterShape>>;
export const parseUserFilters = (sp: SearchParams): Parsed<UserFilters> => pick(userFilterShape, ['q'], sp);

const appFilterShape = { q: filterText(200), after: idCursor };
export type AppFilters = z.infer<z.ZodObject<typeof appFilterShape>>;
export const parseAppFilters = (sp: SearchParams): Parsed<AppFilters> => pick(appFilterShape, ['q'], sp);

const tokenFilterShape = {
  kind: z.enum(TOKEN_KINDS).optional().default('access'),
  /** Application: numeric id or client_id. */
  app: filterText(200),
  /** User: username or id. */
  user: filterText(150),
  state: z.enum(TOKEN_STATES).optional(),
  after: idCursor,
};
export type TokenFilters = z.infer<z.ZodObject<typeof tokenFilterShape>>;
export const parseTokenFilters = (sp: SearchParams): Parsed<TokenFilters> => pick(tokenFilterShape, ['app', 'user'], sp);

const auditFilterShape = {
  type: z.enum(AUDIT_TYPES).optional(),
  /** Actor: username (also matches the label of failed logins) or user id. */
  actor: filterText(150),
  app: filterText(200),
  ip: filterText(64),
  after: idCursor,
};
export type AuditFilters = z.infer<z.ZodObject<typeof auditFilterShape>>;
export const parseAuditFilters = (sp: SearchParams): Parsed<AuditFilters> => pick(auditFilterShape, ['actor', 'app', 'ip'], sp);

/** True when a list's filters were all accepted (otherwise the page shows their errors and lists nothing). */
export const filtersValid = (f: { errors: object }): boolean => Object.keys(f.errors).length === 0;

// --- action forms ---------------------------------------------------------------------------------

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const userFlagForm = z.object({ user_id: uuidField('Unknown user.'), value: bool });
export const revokeTokensForm = z.object({
  kind: z.enum(TOKEN_KINDS),
  ids: z
    .array(rowIdField())
    .min(1, 'Select at least one row.')
    .max(PAGE_SIZE * 4, 'Too many rows selected.'),
});
export const applicationIdForm = z.object({ id: rowIdField() });
/** Suspend (true) or unsuspend (false) an application. */
export const applicationFlagForm = z.object({ id: rowIdField(), value: bool });
export const resourceIdForm = z.object({ id: rowIdField() });

/** Rebuilds a list URL from its filters (dropping empty ones), e.g. for the Next page link. */
export function listHref(path: string, params: Record<string, string | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
