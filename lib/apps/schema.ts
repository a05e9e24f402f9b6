// The application (OAuth client) forms: constants, labels, and one zod schema shared by the
// browser (validation before submit) and the server actions (the check that counts).
// Pure: no Node or Next.js imports, so it can be bundled for the client.
import { z } from 'zod';
import { checkAllowedOriginForRegistration, checkRedirectUriForRegistration, parseUriList } from '../oauth/redirect-uri';
import { canonicalOrigin, canonicalUri } from '../canonical';
import { multiLineText, parseRowId, singleLineText } from '../fields';
import { GRANT_CATALOGUE, GRANT_TYPES, describeGrant, grantTypeLabel, type GrantType } from '../oauth/grants/catalogue';

// The grant types and what they need are described once, in the grant catalogue.
export {
  GRANT_AUTHORIZATION_CODE,
  GRANT_CLIENT_CREDENTIALS,
  GRANT_DEVICE_CODE,
  GRANT_REFRESH_TOKEN,
  GRANT_PASSWORD,
  GRANT_IMPLICIT,
  GRANT_TYPES,
  GRANT_CATALOGUE,
  grantTypeLabel,
  type GrantType,
} from '../oauth/grants/catalogue';

/** Checked on the register form: refresh tokens are issued only to apps that have refresh_token. */
export const DEFAULT_GRANT_TYPES: readonly GrantType[] = GRANT_CATALOGUE.filter((g) => g.defaultOn).map((g) => g.type);

export const CLIENT_TYPES = ['confidential', 'public'] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];
export const CLIENT_TYPE_LABELS: Record<ClientType, string> = { confidential: 'Confidential', public: 'Public' };

export const ALGORITHMS = ['', 'RS256', 'HS256'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];
export const ALGORITHM_LABELS: Record<Algorithm, string> = {
  '': 'No OIDC support',
  RS256: 'RSA with SHA-2 256',
  HS256: 'HMAC with SHA-2 256',
};

export const CLIENT_ID_RE = /^[A-Za-z0-9]{40}$/;

/** A request for a scope the application may not have: refused (`invalid_scope`) or narrowed to the allowed ones. */
export const SCOPE_POLICIES = ['refuse', 'narrow'] as const;
export type ScopePolicy = (typeof SCOPE_POLICIES)[number];
export const SCOPE_POLICY_LABELS: Record<ScopePolicy, string> = {
  refuse: 'Refuse the request (invalid_scope)',
  narrow: 'Leave those scopes out of the token',
};
/** The most scopes an application's allow-list holds. */
export const MAX_ALLOWED_SCOPES = 500;
/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN_RE = /^[\x21\x23-\x5B\x5D-\x7E]{1,64}$/;

/** A grant's label without "(deprecated)", for sentences. */
const shortLabel = (g: GrantType) => grantTypeLabel(g).replace(' (deprecated)', '');

export const MESSAGES = {
  nameRequired: 'Enter a name.',
  nameTooLong: 'At most 255 characters.',
  clientType: 'Choose Confidential or Public.',
  grantRequired: 'Choose at least one grant type.',
  grantUnknown: 'Unknown grant type.',
  redirectRequired: (g: GrantType) => `${shortLabel(g)} needs at least one redirect URI.`,
  publicGrant: (gs: GrantType[]) =>
    `Public clients have no secret, so they cannot use ${gs.map((g) => shortLabel(g)).join(' or ')}: choose Confidential, or uncheck ${gs.length > 1 ? 'them' : 'it'}.`,
  algorithm: 'Choose an algorithm.',
  hs256Hashed:
    'HS256 signs ID tokens with the client secret, so the secret must stay readable: uncheck Hash client secret, or choose RSA with SHA-2 256.',
  hs256Public: 'HS256 signs ID tokens with the client secret, and public clients have none: choose RSA with SHA-2 256.',
  secretTooShort: 'At least 32 characters.',
  secretTooLong: 'At most 255 characters.',
  secretChars: 'Use printable ASCII characters without spaces.',
  secretLooksHashed: 'This looks like a hash. Paste the plain secret that the client will send.',
  secretForPublic: 'Public clients have no secret: leave this empty, or choose Confidential.',
  /** Service-level (needs the stored state). */
  secretHashedCannotUnhash:
    'The stored secret is hashed and cannot be recovered. To store it unhashed, enter a new client secret here (or keep Hash client secret checked).',
  ownerUnknown: 'No active user has this username.',
  /** One line per bad value, naming it and the spelling to enter instead. */
  redirectNotCanonical: (uri: string, canonical: string) =>
    `Redirect URI ${JSON.stringify(uri)} is not in canonical form; enter ${canonical} (redirect URIs must match exactly, so clients must send this spelling).`,
  uriListTooLong: 'Too long: at most 100 entries of 2,000 characters.',
  scopePolicy: 'Choose what happens to a request for other scopes.',
  allowedScopeSyntax: 'Not a scope name (RFC 6749 §3.3).',
  allowedScopesTooMany: `At most ${MAX_ALLOWED_SCOPES} scopes.`,
  /** Service-level (needs the resources). */
  allowedScopeUnknown: (s: string) => `No resource defines the scope “${s}”.`,
} as const;

export type FieldErrors = Partial<Record<string, string[]>>;

/** What the forms send, before validation (also what is echoed back into the form after an error). */
export interface ApplicationFormValues {
  name: string;
  /** Register form only: the generated id shown read-only. */
  clientId?: string;
  clientType: string;
  grantTypes: string[];
  redirectUris: string;
  postLogoutRedirectUris: string;
  allowedOrigins: string;
  algorithm: string;
  hashClientSecret: boolean;
  skipAuthorization: boolean;
  /** Staff only: the owner's username. */
  owner?: string;
  /** Update form only: a secret of the owner's choosing; empty keeps the current one. */
  clientSecret?: string;
  /**
   * The resources' scopes it may be granted; null (or absent): every scope, including scopes that
   * resources define later ("All scopes"). OIDC scopes are not listed: they are always allowed.
   */
  allowedScopes?: string[] | null;
  /** What a request for another scope gets: 'refuse' (default) or 'narrow'. */
  scopePolicy?: string;
}

/** At most this many entries in each list of URIs (redirect URIs, post-logout URIs, allowed origins). */
export const MAX_URIS = 100;
const MAX_URI_TEXT = 100 * 2001;

/**
 * A textarea of URIs → the list to store. `canonical` rewrites each entry first (allowed origins
 * are stored in their RFC 6454 form, so two spellings of one origin become one entry); `check`
 * then says what is wrong with an entry, or null.
 */
function uriList(check: (u: string) => string | null, opts: { rename?: (msg: string) => string; canonical?: (u: string) => string | null } = {}) {
  const { rename, canonical } = opts;
  return multiLineText({ max: MAX_URI_TEXT, maxMessage: MESSAGES.uriListTooLong })
    .transform((text) => {
      const list = parseUriList(text);
      return canonical ? [...new Set(list.map((u) => canonical(u) ?? u))] : list;
    })
    .superRefine((list, ctx) => {
      if (list.length > MAX_URIS) {
        ctx.addIssue({ code: 'custom', message: MESSAGES.uriListTooLong });
        return;
      }
      // One line per bad value, each naming it (FieldError lists them): the owner fixes them all in one go.
      for (const u of list) {
        const err = check(u);
        if (err) ctx.addIssue({ code: 'custom', message: rename ? rename(err) : err });
      }
    });
}

const postLogoutMessage = (m: string) => m.replace(/^Redirect URI/, 'Post logout redirect URI');

/**
 * The form's rule for one redirect URI (also the error page's "Add this callback", lib/apps/service.ts
 * addRedirectUri). Redirect URIs are matched exactly (RFC 9700 §4.1.3), so one spelled otherwise than
 * its canonical form (lib/canonical.ts) would never match what clients build from it: refuse it,
 * naming the form to enter, rather than store a rewrite the owner did not type.
 * @returns what is wrong with `uri`, naming it; null when it may be registered
 */
export function checkRedirectUri(uri: string): string | null {
  const err = checkRedirectUriForRegistration(uri);
  if (err) return err;
  const canonical = canonicalSpellingOf(uri);
  return canonical ? MESSAGES.redirectNotCanonical(uri, canonical) : null;
}

/**
 * The canonical spelling of a (redirect) URI when `uri` is spelled otherwise, else null. The forms
 * refuse such URIs; rows stored before they did are flagged on the application's page.
 *
 * @param uri a URI as stored or typed
 * @returns the spelling to enter instead, or null when `uri` is canonical (or not a URI at all)
 */
export function canonicalSpellingOf(uri: string): string | null {
  const canonical = canonicalUri(uri);
  return canonical !== null && canonical !== uri ? canonical : null;
}

const optionalSecret = z
  .string()
  .optional()
  .transform((s) => (s === undefined ? '' : s.trim()))
  .superRefine((s, ctx) => {
    if (s === '') return;
    if (s.length < 32) ctx.addIssue({ code: 'custom', message: MESSAGES.secretTooShort });
    else if (s.length > 255) ctx.addIssue({ code: 'custom', message: MESSAGES.secretTooLong });
    else if (!/^[\x21-\x7e]+$/.test(s)) ctx.addIssue({ code: 'custom', message: MESSAGES.secretChars });
    else if (/^(\$argon2|\$2[aby]\$|pbkdf2_|argon2\$|bcrypt)/.test(s)) ctx.addIssue({ code: 'custom', message: MESSAGES.secretLooksHashed });
  });

export const applicationSchema = z
  .object({
    name: singleLineText({ min: 1, minMessage: MESSAGES.nameRequired, max: 255, maxMessage: MESSAGES.nameTooLong }),
    clientId: z
      .string()
      .optional()
      .transform((s) => (s && CLIENT_ID_RE.test(s) ? s : undefined)),
    clientType: z.enum(CLIENT_TYPES, { error: MESSAGES.clientType }),
    grantTypes: z.array(z.enum(GRANT_TYPES, { error: MESSAGES.grantUnknown })).transform((gs) => GRANT_TYPES.filter((g) => gs.includes(g))),
    redirectUris: uriList(checkRedirectUri),
    postLogoutRedirectUris: uriList(checkRedirectUri, { rename: postLogoutMessage }),
    // Stored canonical (RFC 6454): a browser's Origin header is compared with them as is.
    allowedOrigins: uriList(checkAllowedOriginForRegistration, { canonical: canonicalOrigin }),
    algorithm: z.enum(ALGORITHMS, { error: MESSAGES.algorithm }),
    hashClientSecret: z.boolean(),
    skipAuthorization: z.boolean(),
    owner: singleLineText({ max: 150 })
      .optional()
      .transform((s) => (s ? s : undefined)),
    clientSecret: optionalSecret,
    allowedScopes: z
      .array(z.string().regex(SCOPE_TOKEN_RE, MESSAGES.allowedScopeSyntax))
      .max(MAX_ALLOWED_SCOPES, MESSAGES.allowedScopesTooMany)
      .nullish()
      .transform((l) => (l == null ? null : [...new Set(l)])),
    scopePolicy: z
      .enum(SCOPE_POLICIES, { error: MESSAGES.scopePolicy })
      .optional()
      .transform((p) => p ?? 'refuse'),
  })
  .superRefine((v, ctx) => {
    if (v.grantTypes.length === 0) ctx.addIssue({ code: 'custom', path: ['grantTypes'], message: MESSAGES.grantRequired });

    // RFC 6749 §3.1.2.2: "The authorization server MUST require the following clients to register
    // their redirection endpoint: Public clients. Confidential clients utilizing the implicit grant type."
    // RFC 9700 §2.1 goes further: every client of a redirect-based flow registers exact URIs.
    const needsRedirect = v.grantTypes.find((g) => describeGrant(g)?.needsRedirectUri);
    if (needsRedirect && v.redirectUris.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['redirectUris'], message: MESSAGES.redirectRequired(needsRedirect) });
    }

    if (v.clientType === 'public') {
      // RFC 6749 §4.4: "The client credentials grant type MUST only be used by confidential clients."
      const bad = v.grantTypes.filter((g) => !describeGrant(g)?.publicClients);
      if (bad.length) ctx.addIssue({ code: 'custom', path: ['grantTypes'], message: MESSAGES.publicGrant(bad) });
      if (v.algorithm === 'HS256') ctx.addIssue({ code: 'custom', path: ['algorithm'], message: MESSAGES.hs256Public });
      if (v.clientSecret !== '') ctx.addIssue({ code: 'custom', path: ['clientSecret'], message: MESSAGES.secretForPublic });
    } else if (v.algorithm === 'HS256' && v.hashClientSecret) {
      // OIDC Core §10.1: HS256 uses the octets of the client_secret as the MAC key. A hash of it
      // would be a different key (DOT #1737 signed with the hash).
      ctx.addIssue({ code: 'custom', path: ['algorithm'], message: MESSAGES.hs256Hashed });
    }
  });

export type ApplicationInput = z.output<typeof applicationSchema>;

const str = (f: FormData, name: string) => {
  const v = f.get(name);
  return typeof v === 'string' ? v : '';
};
const optStr = (f: FormData, name: string) => {
  const v = f.get(name);
  return typeof v === 'string' ? v : undefined;
};
const checked = (f: FormData, name: string) => f.get(name) === 'on';

/** The raw form values (what the user typed), for validation and for refilling the form. */
export function formValues(f: FormData): ApplicationFormValues {
  return {
    name: str(f, 'name'),
    clientId: optStr(f, 'clientId'),
    clientType: str(f, 'clientType'),
    grantTypes: f.getAll('grantTypes').filter((g): g is string => typeof g === 'string'),
    redirectUris: str(f, 'redirectUris'),
    postLogoutRedirectUris: str(f, 'postLogoutRedirectUris'),
    allowedOrigins: str(f, 'allowedOrigins'),
    algorithm: str(f, 'algorithm'),
    hashClientSecret: checked(f, 'hashClientSecret'),
    skipAuthorization: checked(f, 'skipAuthorization'),
    owner: optStr(f, 'owner'),
    clientSecret: optStr(f, 'clientSecret'),
    // "All scopes, including future ones" (the default), or the checked ones.
    allowedScopes: f.get('allowedScopesMode') === 'some' ? f.getAll('allowedScopes').filter((s): s is string => typeof s === 'string') : null,
    scopePolicy: optStr(f, 'scopePolicy'),
  };
}

export type ParseResult = { success: true; data: ApplicationInput } | { success: false; errors: FieldErrors };

export function parseApplicationValues(values: ApplicationFormValues): ParseResult {
  const r = applicationSchema.safeParse(values);
  if (r.success) return { success: true, data: r.data };
  const errors: FieldErrors = {};
  for (const issue of r.error.issues) {
    const key = issue.path.length ? String(issue.path[0]) : '_form';
    (errors[key] ??= []).push(issue.message);
  }
  return { success: false, errors };
}

/** FormData → typed, validated input (or errors keyed by field name). */
export function parseApplicationForm(f: FormData): ParseResult {
  return parseApplicationValues(formValues(f));
}

/** The register form's initial values. */
export function defaultFormValues(clientId: string, owner?: string): ApplicationFormValues {
  return {
    name: '',
    clientId,
    clientType: 'confidential',
    grantTypes: [...DEFAULT_GRANT_TYPES],
    redirectUris: '',
    postLogoutRedirectUris: '',
    allowedOrigins: '',
    algorithm: '',
    hashClientSecret: true,
    skipAuthorization: false,
    owner,
    allowedScopes: null,
    scopePolicy: 'refuse',
  };
}

/** Route segment (or bound action argument) → application id, or null (then the page answers 404 like an unknown id). */
export const parseApplicationId = (raw: unknown): number | null => parseRowId(raw);

