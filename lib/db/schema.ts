// One schema for PGlite and PostgreSQL. Tokens, codes and device codes are stored only as
// SHA-256 (base64url) in *_hash columns with a unique index: a stolen database holds no usable token.
import { sql } from 'drizzle-orm';
import {
  bigserial,
  bigint,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => ts('created_at').notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    // Public, stable and never reused: also the OIDC `sub`.
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username').notNull(),
    /** canonicalUsername(username) (lib/canonical.ts): what logins, the unique index and rate limits compare. */
    usernameCanonical: text('username_canonical').notNull(),
    email: text('email').notNull().default(''),
    passwordHash: text('password_hash').notNull(),
    isStaff: boolean('is_staff').notNull().default(false),
    isActive: boolean('is_active').notNull().default(true),
    createdAt: createdAt(),
    lastLoginAt: ts('last_login_at'),
  },
  (t) => [uniqueIndex('users_username_canonical_idx').on(t.usernameCanonical), index('users_created_idx').on(t.createdAt)],
);

/**
 * Login sessions, server-side (OWASP Session Management): the session cookie names one row by the
 * SHA-256 of its random id; logout, password change, deactivation and "sign out everywhere" set
 * revoked_at, and every session read checks it.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sidHash: text('sid_hash').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    ip: text('ip').notNull().default(''),
    userAgent: text('user_agent').notNull().default(''),
    createdAt: createdAt(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
    /** Why the session was ended (lib/db/queries/sessions.ts SessionEndReason), for the login page's explanation. */
    endedReason: text('ended_reason'),
  },
  (t) => [uniqueIndex('sessions_sid_hash_idx').on(t.sidHash), index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
);

export const applications = pgTable(
  'applications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    clientId: text('client_id').notNull(),
    /** argon2id PHC string when secretHashed, else the secret itself (needed for HS256). '' for public clients. */
    clientSecret: text('client_secret').notNull().default(''),
    secretHashed: boolean('secret_hashed').notNull().default(true),
    /** Bumped on every change of the client: invalidates the in-process client and secret caches. */
    version: integer('version').notNull().default(1),
    name: text('name').notNull(),
    clientType: text('client_type', { enum: ['confidential', 'public'] }).notNull(),
    grantTypes: text('grant_types').array().notNull(),
    redirectUris: text('redirect_uris').array().notNull().default(sql`'{}'::text[]`),
    postLogoutRedirectUris: text('post_logout_redirect_uris').array().notNull().default(sql`'{}'::text[]`),
    allowedOrigins: text('allowed_origins').array().notNull().default(sql`'{}'::text[]`),
    /** '' = no OIDC support, 'RS256' or 'HS256'. */
    algorithm: text('algorithm', { enum: ['', 'RS256', 'HS256'] }).notNull().default(''),
    skipAuthorization: boolean('skip_authorization').notNull().default(false),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    /**
     * The scopes of the resources this client may be granted (lib/oauth/resources.ts). Null: every
     * resource scope (applications registered before resources existed, and the default).
     */
    allowedScopes: text('allowed_scopes').array(),
    /** A request for a scope outside allowedScopes: 'refuse' (invalid_scope) or 'narrow' (dropped). */
    scopePolicy: text('scope_policy', { enum: ['refuse', 'narrow'] }).notNull().default('refuse'),
    /**
     * How the client came to be: the application form ('form'), `npm run createapplication`
     * ('command_line'), RFC 7591 dynamic client registration ('dynamic'), or a Client ID Metadata
     * Document fetched from its https client_id ('metadata_document'). The last two have no owner.
     */
    registrationMethod: text('registration_method', { enum: ['form', 'command_line', 'dynamic', 'metadata_document'] })
      .notNull()
      .default('form'),
    /** RFC 7592: SHA-256 of the registration access token of a dynamically registered client. */
    registrationAccessTokenHash: text('registration_access_token_hash'),
    /** Set by staff: a suspended client is refused everywhere (authorization, token, bearer). */
    suspendedAt: ts('suspended_at'),
    /** RFC 7591 §2 client metadata shown on the consent screen. */
    logoUri: text('logo_uri'),
    clientUri: text('client_uri'),
    /** A metadata-document client: when the document was fetched and until when it may be reused (HTTP caching). */
    metadataFetchedAt: ts('metadata_fetched_at'),
    metadataExpiresAt: ts('metadata_expires_at'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('applications_client_id_idx').on(t.clientId), index('applications_user_idx').on(t.userId)],
);

/**
 * Resources (APIs) that accept this server's access tokens: the RFC 8707 `resource` value is
 * `identifier` (an absolute URI without a fragment), which becomes the token's `aud`. Each defines
 * its scopes (name, and the sentence the consent screen shows); OIDC scopes stay built in. The
 * built-in resource (`builtIn`, `ISSUER/api`) is created at start from SCOPES.
 */
export const resources = pgTable(
  'resources',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    identifier: text('identifier').notNull(),
    name: text('name').notNull(),
    scopes: jsonb('scopes').$type<{ name: string; description: string }[]>().notNull().default(sql`'[]'::jsonb`),
    /** 'opaque' (a random value, looked up) or 'jwt' (RFC 9068, verifiable offline). */
    accessTokenFormat: text('access_token_format', { enum: ['opaque', 'jwt'] }).notNull().default('opaque'),
    /** Seconds; null: ACCESS_TOKEN_EXPIRE_SECONDS. */
    accessTokenLifetimeSeconds: integer('access_token_lifetime_seconds'),
    builtIn: boolean('built_in').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('resources_identifier_idx').on(t.identifier)],
);

/**
 * Authorization codes (RFC 6749 §4.1.2; django-oauth-toolkit calls them grants). Stored only as
 * SHA-256; spent once (consumed_at) by the token store's redemption (lib/oauth/store.ts).
 */
export const authorizationCodes = pgTable(
  'authorization_codes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    codeHash: text('code_hash').notNull(),
    applicationId: bigint('application_id', { mode: 'number' })
      .notNull()
      .references(() => applications.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    redirectUri: text('redirect_uri').notNull(),
    /** True when redirect_uri was sent at authorize: then it must be sent again (RFC 6749 §4.1.3). */
    redirectUriSent: boolean('redirect_uri_sent').notNull().default(true),
    scope: text('scope').notNull(),
    /** RFC 8707: the resource identifiers the authorization was for (empty: the default resource). */
    resources: text('resources').array().notNull().default(sql`'{}'::text[]`),
    codeChallenge: text('code_challenge'),
    codeChallengeMethod: text('code_challenge_method'),
    nonce: text('nonce'),
    authTime: ts('auth_time').notNull(),
    expiresAt: ts('expires_at').notNull(),
    consumedAt: ts('consumed_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('authorization_codes_code_hash_idx').on(t.codeHash), index('authorization_codes_expires_idx').on(t.expiresAt)],
);

/**
 * Pending authorization requests (RFC 6749 §4.1.1): /o/authorize/ validates a request once and
 * keeps it here while the user logs in and consents; the browser carries only a random id
 * (`?pending=<id>`), so no length of `state`, `scope` or `login_hint` has to survive a URL through
 * login. Only the id's SHA-256 is stored, like every other bearer value: a database reader cannot
 * resume or spend someone's request. A row is deleted when the client gets its answer (single use),
 * or by `npm run cleartokens` once expired.
 */
export const authorizationRequests = pgTable(
  'authorization_requests',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    requestIdHash: text('request_id_hash').notNull(),
    applicationId: bigint('application_id', { mode: 'number' })
      .notNull()
      .references(() => applications.id, { onDelete: 'cascade' }),
    /** The validated request (lib/oauth/pending-request.ts, storedRequestSchema). */
    params: jsonb('params').notNull(),
    /** sid_hash of the session that last saw the request; a consent decision must come from it. */
    sessionSidHash: text('session_sid_hash'),
    /** Set when a request with prompt=login or max_age sends the user to log in: a login since satisfies them. */
    loginAfter: ts('login_after'),
    /** The source that made it: each source keeps at most AUTHORIZE_PENDING_PER_IP live requests. */
    clientIp: text('client_ip').notNull(),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [
    uniqueIndex('authorization_requests_id_hash_idx').on(t.requestIdHash),
    index('authorization_requests_expires_idx').on(t.expiresAt),
    index('authorization_requests_client_ip_idx').on(t.clientIp, t.id),
  ],
);

export const accessTokens = pgTable(
  'access_tokens',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tokenHash: text('token_hash').notNull(),
    applicationId: bigint('application_id', { mode: 'number' })
      .notNull()
      .references(() => applications.id, { onDelete: 'cascade' }),
    /** Null for client_credentials. */
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    scope: text('scope').notNull(),
    /** Refresh family: every access and refresh token descended from one authorization. */
    familyId: uuid('family_id'),
    /** The authorization code it came from, so a replayed code can revoke it (RFC 6749 §4.1.2). */
    authorizationCodeId: bigint('authorization_code_id', { mode: 'number' }),
    /** RFC 8707 / RFC 9068 `aud`: the resource identifiers the token is for (empty: the default resource). */
    audience: text('audience').array().notNull().default(sql`'{}'::text[]`),
    grantType: text('grant_type').notNull(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('access_tokens_hash_idx').on(t.tokenHash),
    // The family's live access tokens, which a rotation and a revocation revoke (both ask for
    // revoked_at IS NULL): revoked ones are not in it, so a rotation costs the same however long its
    // family has been refreshing (a full family index made each refresh scan the whole chain).
    index('access_tokens_family_live_idx').on(t.familyId).where(sql`${t.revokedAt} IS NULL`),
    index('access_tokens_authorization_code_idx').on(t.authorizationCodeId),
    index('access_tokens_app_user_idx').on(t.applicationId, t.userId),
    index('access_tokens_expires_idx').on(t.expiresAt),
    index('access_tokens_user_idx').on(t.userId),
  ],
);

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tokenHash: text('token_hash').notNull(),
    applicationId: bigint('application_id', { mode: 'number' })
      .notNull()
      .references(() => applications.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    scope: text('scope').notNull(),
    familyId: uuid('family_id').notNull(),
    /** The authorization code the family started from (null for other grants). */
    authorizationCodeId: bigint('authorization_code_id', { mode: 'number' }),
    /** RFC 8707: the resources of the grant; a refresh may ask for a subset (narrowing only). */
    resources: text('resources').array().notNull().default(sql`'{}'::text[]`),
    /** Carried along the family for ID tokens issued on refresh. */
    authTime: ts('auth_time'),
    nonce: text('nonce'),
    /** Null when REFRESH_TOKEN_EXPIRE_SECONDS is not set. */
    expiresAt: ts('expires_at'),
    /** Set when this token was exchanged for a new one (rotation). */
    rotatedAt: ts('rotated_at'),
    revokedAt: ts('revoked_at'),
    lastUsedAt: ts('last_used_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('refresh_tokens_hash_idx').on(t.tokenHash),
    index('refresh_tokens_family_idx').on(t.familyId),
    // "Is any token of this family revoked?" (every rotation asks): only revoked rows are in it,
    // so the answer does not scan a long-lived family's whole chain of rotated tokens.
    index('refresh_tokens_family_revoked_idx').on(t.familyId).where(sql`${t.revokedAt} IS NOT NULL`),
    index('refresh_tokens_app_user_idx').on(t.applicationId, t.userId),
    index('refresh_tokens_user_idx').on(t.userId),
  ],
);

/** Remembered consent: the scopes a user approved for an application. */
export const consents = pgTable(
  'consents',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    applicationId: bigint('application_id', { mode: 'number' })
      .notNull()
      .references(() => applications.id, { onDelete: 'cascade' }),
    scope: text('scope').notNull(),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    /**
     * When tokens were last issued or refreshed for this authorization (every issuance writes it, at
     * most once per limits.authorizationUsedEverySeconds): "Last used" on /o/authorized_tokens/
     * after the tokens themselves expired or were revoked.
     */
    lastUsedAt: ts('last_used_at'),
  },
  (t) => [uniqueIndex('consents_user_app_idx').on(t.userId, t.applicationId)],
);

export const signingKeys = pgTable('signing_keys', {
  kid: text('kid').primaryKey(),
  alg: text('alg').notNull().default('RS256'),
  publicJwk: jsonb('public_jwk').notNull(),
  /** Private JWK, AES-256-GCM encrypted with a key derived from AUTH_SECRET. */
  privateJwkEnc: text('private_jwk_enc').notNull(),
  createdAt: createdAt(),
  /** Set when a newer key took over; the key is still published until tokens it signed have expired. */
  retiredAt: ts('retired_at'),
});

export const deviceCodes = pgTable(
  'device_codes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deviceCodeHash: text('device_code_hash').notNull(),
    userCode: text('user_code').notNull(),
    applicationId: bigint('application_id', { mode: 'number' })
      .notNull()
      .references(() => applications.id, { onDelete: 'cascade' }),
    scope: text('scope').notNull(),
    /** RFC 8707: the resources the device asked for (empty: the default resource). */
    resources: text('resources').array().notNull().default(sql`'{}'::text[]`),
    status: text('status', { enum: ['pending', 'approved', 'denied', 'consumed'] })
      .notNull()
      .default('pending'),
    /** The user who entered the code; only they may approve it. */
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    interval: integer('interval').notNull(),
    lastPolledAt: ts('last_polled_at'),
    expiresAt: ts('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('device_codes_hash_idx').on(t.deviceCodeHash), uniqueIndex('device_codes_user_code_idx').on(t.userCode)],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull().defaultNow(),
    type: text('type').notNull(),
    actorUserId: uuid('actor_user_id'),
    actorLabel: text('actor_label'),
    applicationId: bigint('application_id', { mode: 'number' }),
    ip: text('ip'),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
  },
  (t) => [index('audit_events_at_idx').on(t.at), index('audit_events_type_at_idx').on(t.type, t.at)],
);

/**
 * Daily counts of audit events (the usage charts, lib/usage.ts): one row per UTC day, application
 * (0: none, e.g. a login at no application's request), event type and dimension (the grant type of
 * `token.issued`, the limit of `rate_limit.refused`, else ''). Kept up to date by the statement that
 * writes the events (lib/db/queries/audit.ts flushAudit), so it always agrees with audit_events;
 * rebuildUsageRollups() recomputes it. No foreign key: a deleted application's history stays.
 */
export const usageDaily = pgTable(
  'usage_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    applicationId: bigint('application_id', { mode: 'number' }).notNull(),
    metric: text('metric').notNull(),
    dimension: text('dimension').notNull().default(''),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.day, t.metric, t.dimension] }), index('usage_daily_day_idx').on(t.day, t.metric)],
);

/** The users who were issued a token, per UTC day and application (0: none): "active users". Same upkeep as usage_daily. */
export const usageDailyUsers = pgTable(
  'usage_daily_users',
  {
    day: date('day', { mode: 'string' }).notNull(),
    applicationId: bigint('application_id', { mode: 'number' }).notNull(),
    userId: uuid('user_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.day, t.userId] }), index('usage_daily_users_day_idx').on(t.day)],
);

/** Fixed-window failure counters shared by every instance (login, client auth). */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  count: integer('count').notNull(),
  windowStart: ts('window_start').notNull(),
});

/**
 * The setup token of a fresh installation (lib/auth/first-admin.ts): while no staff user exists, each
 * start of the server prints a new one and keeps only its SHA-256 here, so that every worker agrees;
 * the statement that creates the first admin deletes it.
 */
export const setupTokens = pgTable('setup_tokens', {
  tokenHash: text('token_hash').primaryKey(),
  createdAt: createdAt(),
});

/** The example protected resource of /api/notes. */
export const notes = pgTable(
  'notes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    text: text('text').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('notes_user_idx').on(t.userId)],
);

export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type Application = typeof applications.$inferSelect;
export type NewApplication = typeof applications.$inferInsert;
export type AuthorizationCode = typeof authorizationCodes.$inferSelect;
export type AuthorizationRequest = typeof authorizationRequests.$inferSelect;
export type AccessToken = typeof accessTokens.$inferSelect;
export type RefreshToken = typeof refreshTokens.$inferSelect;
export type AuditEvent = typeof auditEvents.$inferSelect;
