// Resources (APIs, RFC 8707) as staff register them: one zod schema shared by the staff pages
// (app/admin/resources/) and the command line (`npm run resource`, lib/admin/commands.ts).
// Pure: no Node or Next.js imports.
import { z } from 'zod';
import { isLoopbackHost } from '../oauth/redirect-uri';
import { canonicalUri } from '../canonical';
import { singleLineText } from '../fields';

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/** Built into OpenID Connect (and refresh tokens' offline_access): never a resource's scope. */
export const RESERVED_SCOPE_NAMES: readonly string[] = ['openid', 'profile', 'email', 'address', 'phone', 'offline_access'];

export const TOKEN_FORMATS = ['opaque', 'jwt'] as const;
export type TokenFormat = (typeof TOKEN_FORMATS)[number];
export const TOKEN_FORMAT_LABELS: Record<TokenFormat, string> = { opaque: 'Opaque (looked up)', jwt: 'JWT (RFC 9068)' };

export const MAX_SCOPES = 50;
export const MAX_IDENTIFIER = 2000;
export const MIN_LIFETIME = 30;
export const MAX_LIFETIME = 31 * 24 * 3600;

export const RESOURCE_MESSAGES = {
  identifierRequired: 'Enter the identifier (an absolute URI).',
  identifierTooLong: `At most ${MAX_IDENTIFIER} characters.`,
  identifierNotUri: 'Not an absolute URI: enter e.g. https://api.example.com/.',
  identifierScheme: 'Use https (or http on a loopback host such as localhost or 127.0.0.1, for development).',
  identifierFragment: 'An identifier must not have a fragment (#…) (RFC 8707 §2).',
  identifierQuery: 'An identifier should not have a query (?…) (RFC 8707 §2): leave it out.',
  identifierUserinfo: 'An identifier must not carry a username or password.',
  identifierNotCanonical: (c: string) => `Not in canonical form; enter ${c} (clients must send exactly this spelling).`,
  identifierTaken: 'Another resource has this identifier.',
  identifierBuiltIn: 'The built-in resource’s identifier is the issuer’s /api and cannot be changed.',
  nameRequired: 'Enter a name.',
  nameTooLong: 'At most 255 characters.',
  scopeNameRequired: 'Enter the scope’s name.',
  scopeNameSyntax: (n: string) => `Scope “${n}” has a character a scope cannot have (spaces, " or \\) (RFC 6749 §3.3).`,
  scopeNameTooLong: 'A scope name has at most 64 characters.',
  scopeNameReserved: (n: string) => `“${n}” is an OpenID Connect scope, built in: choose another name.`,
  scopeNameDuplicate: (n: string) => `Scope “${n}” is listed twice.`,
  scopeNameTaken: (n: string, owner: string) =>
    `Scope “${n}” is already defined by the resource ${owner}: a scope name belongs to one resource only (an application allowed “${n}” would otherwise get it for both). Choose another name, e.g. with a prefix.`,
  scopeDescriptionRequired: (n: string) => `Enter the sentence the consent screen shows for “${n}”.`,
  scopeDescriptionTooLong: 'A sentence has at most 200 characters.',
  tooManyScopes: `At most ${MAX_SCOPES} scopes.`,
  format: 'Choose Opaque or JWT.',
  lifetime: `Enter whole seconds from ${MIN_LIFETIME} to ${MAX_LIFETIME}, or leave it empty for the server's default.`,
} as const;

/**
 * The rule for a resource identifier (RFC 8707 §2: "an absolute URI … MUST NOT include a fragment
 * component … SHOULD NOT include a query component"), plus ours: https, or http on a loopback host;
 * no userinfo; its canonical spelling (tokens' `aud` is compared exactly).
 * @returns what is wrong, or null
 */
export function checkResourceIdentifier(raw: string): string | null {
  if (raw === '') return RESOURCE_MESSAGES.identifierRequired;
  if (raw.length > MAX_IDENTIFIER) return RESOURCE_MESSAGES.identifierTooLong;
  if (raw.includes('#')) return RESOURCE_MESSAGES.identifierFragment;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return RESOURCE_MESSAGES.identifierNotUri;
  }
  if (/\s/.test(raw)) return RESOURCE_MESSAGES.identifierNotUri;
  if (!(u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname)))) return RESOURCE_MESSAGES.identifierScheme;
  if (u.username || u.password) return RESOURCE_MESSAGES.identifierUserinfo;
  if (u.search || raw.includes('?')) return RESOURCE_MESSAGES.identifierQuery;
  const c = canonicalUri(raw);
  if (c !== null && c !== raw) return RESOURCE_MESSAGES.identifierNotCanonical(c);
  return null;
}

const scopeSchema = z.object({ name: z.string(), description: z.string() });

export const resourceSchema = z
  .object({
    // Checked in the field (not the object's refinement) so that its error shows even when a scope row has one too.
    identifier: z.string().transform((raw, ctx) => {
      const s = raw.trim();
      const idErr = checkResourceIdentifier(s);
      if (idErr) ctx.addIssue({ code: 'custom', message: idErr });
      return s;
    }),
    name: singleLineText({ min: 1, minMessage: RESOURCE_MESSAGES.nameRequired, max: 255, maxMessage: RESOURCE_MESSAGES.nameTooLong }),
    /**
     * Rows with both parts empty (the form's spare rows) are dropped. Each row's problem is
     * reported at its own position as sent (path ['scopes', i, 'name'|'description']), so the
     * form shows it next to that row.
     */
    scopes: z.array(scopeSchema).transform((raw, ctx) => {
      const rows = raw.map((r) => ({ name: r.name.trim(), description: r.description.trim() }));
      const seen = new Set<string>();
      rows.forEach((s, i) => {
        if (s.name === '' && s.description === '') return;
        const add = (field: 'name' | 'description', message: string) => ctx.addIssue({ code: 'custom', path: [i, field], message });
        if (s.name === '') add('name', RESOURCE_MESSAGES.scopeNameRequired);
        else if (s.name.length > 64) add('name', RESOURCE_MESSAGES.scopeNameTooLong);
        else if (!SCOPE_TOKEN.test(s.name)) add('name', RESOURCE_MESSAGES.scopeNameSyntax(s.name));
        else if (RESERVED_SCOPE_NAMES.includes(s.name)) add('name', RESOURCE_MESSAGES.scopeNameReserved(s.name));
        else if (seen.has(s.name)) add('name', RESOURCE_MESSAGES.scopeNameDuplicate(s.name));
        if (s.name !== '' && s.description === '') add('description', RESOURCE_MESSAGES.scopeDescriptionRequired(s.name));
        else if (s.description.length > 200 || /[\x00-\x1f\x7f]/.test(s.description)) add('description', RESOURCE_MESSAGES.scopeDescriptionTooLong);
        seen.add(s.name);
      });
      return rows.filter((r) => r.name !== '' || r.description !== '');
    }),
    accessTokenFormat: z.enum(TOKEN_FORMATS, { error: RESOURCE_MESSAGES.format }),
    /** Seconds, '' or absent: null (ACCESS_TOKEN_EXPIRE_SECONDS). */
    accessTokenLifetimeSeconds: z
      .union([z.string(), z.number(), z.null(), z.undefined()])
      .transform((v, ctx) => {
        if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) return null;
        const n = typeof v === 'number' ? v : /^\d{1,9}$/.test(v.trim()) ? Number(v.trim()) : NaN;
        if (!Number.isInteger(n) || n < MIN_LIFETIME || n > MAX_LIFETIME) {
          ctx.addIssue({ code: 'custom', message: RESOURCE_MESSAGES.lifetime });
          return z.NEVER;
        }
        return n;
      }),
  })
  .superRefine((v, ctx) => {
    if (v.scopes.length > MAX_SCOPES) ctx.addIssue({ code: 'custom', path: ['scopes'], message: RESOURCE_MESSAGES.tooManyScopes });
  });

export type ResourceInput = z.output<typeof resourceSchema>;
export type ResourceFormValues = z.input<typeof resourceSchema>;
/** Errors by field; a scope row's under `scopes.<row>.name` / `scopes.<row>.description` (row: its position as sent, from 0). */
export type ResourceFieldErrors = Partial<
  Record<'identifier' | 'name' | 'scopes' | 'accessTokenFormat' | 'accessTokenLifetimeSeconds' | '_form' | `scopes.${number}.${'name' | 'description'}`, string[]>
>;

export type ResourceParseResult = { success: true; data: ResourceInput } | { success: false; errors: ResourceFieldErrors };

/** Validates resource values (the form's or the command line's): the input, or the errors by field. */
export function parseResourceValues(values: unknown): ResourceParseResult {
  const r = resourceSchema.safeParse(values);
  if (r.success) return { success: true, data: r.data };
  const errors: Record<string, string[]> = {};
  for (const issue of r.error.issues) {
    const [first, row, part] = issue.path;
    const key = first === 'scopes' && typeof row === 'number' ? `scopes.${row}.${String(part)}` : first !== undefined ? String(first) : '_form';
    (errors[key] ??= []).push(issue.message);
  }
  return { success: false, errors: errors as ResourceFieldErrors };
}

/** The form's fields (scopeName / scopeDescription repeated, paired by position) → raw values. */
export function resourceFormValues(f: FormData): { identifier: string; name: string; scopes: { name: string; description: string }[]; accessTokenFormat: string; accessTokenLifetimeSeconds: string } {
  const s = (k: string) => {
    const v = f.get(k);
    return typeof v === 'string' ? v : '';
  };
  const all = (k: string) => f.getAll(k).map((v) => (typeof v === 'string' ? v : ''));
  const names = all('scopeName').slice(0, MAX_SCOPES + 10);
  const descriptions = all('scopeDescription');
  return {
    identifier: s('identifier'),
    name: s('name'),
    scopes: names.map((name, i) => ({ name, description: descriptions[i] ?? '' })),
    accessTokenFormat: s('accessTokenFormat'),
    accessTokenLifetimeSeconds: s('accessTokenLifetimeSeconds'),
  };
}

/** One line per error, `field: message`, for the command line. */
export function errorLines(errors: Partial<Record<string, string[]>>): string {
  return Object.entries(errors)
    .flatMap(([k, ms]) => (ms ?? []).map((m) => `${k === '_form' ? '' : `${fieldLabel(k)}: `}${m}`))
    .join('\n');
}

/** `scopes.2.name` → `scope 3 name` (the third --scope); other keys as they are. */
function fieldLabel(k: string): string {
  const m = /^scopes\.(\d+)\.(name|description)$/.exec(k);
  return m ? `scope ${Number(m[1]) + 1} ${m[2]}` : k;
}
