// Self-registered clients: the only DB access of RFC 7591/7592 dynamic client registration
// (lib/oauth/endpoints/register.ts) and of Client ID Metadata Documents (lib/oauth/client-metadata.ts),
// and the staff's suspension switch. Every change bumps `version` and is followed by
// invalidateClient (the protocol's client cache).
import { and, eq, sql } from 'drizzle-orm';
import { getDb } from '../index';
import { applications, consents, type Application } from '../schema';
import { invalidateClient } from './clients';
import { canonicalOrigin } from '../../canonical';

/**
 * The CORS allowed origins of a self-registered client: the origins of its redirect URIs, so that
 * a browser-based client (an SPA, a web MCP client) can call the token endpoint from the page the
 * code comes back to. Nobody vets such a client, and it needs no more: that origin receives its
 * codes already, and PKCE binds each code to whoever started the request.
 */
export function redirectOrigins(redirectUris: readonly string[]): string[] {
  const origins = redirectUris.map((u) => {
    try {
      return canonicalOrigin(new URL(u).origin);
    } catch {
      return null;
    }
  });
  return [...new Set(origins.filter((o): o is string => o !== null))];
}

/** The client metadata both kinds of self-registration store (RFC 7591 §2). */
export interface RegisteredMetadata {
  name: string;
  clientType: 'confidential' | 'public';
  grantTypes: string[];
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  logoUri: string | null;
  clientUri: string | null;
  /** RFC 7591 §2 `scope`: the resource scopes the client may request (applications.allowedScopes). */
  allowedScopes?: string[];
}

/**
 * Creates or refreshes the application of a Client ID Metadata Document: `clientId` is the
 * document's URL; no owner, public, never skipping consent. An existing row of another
 * registration method with this client_id is left alone (null). Keeps `suspendedAt`.
 * @param fetchedAt when the document was fetched; `expiresAt` until when it is reused
 */
export async function upsertMetadataDocumentClient(clientId: string, m: RegisteredMetadata, fetchedAt: Date, expiresAt: Date): Promise<{ id: number } | null> {
  const db = await getDb();
  const values = {
    name: m.name,
    clientType: m.clientType,
    grantTypes: m.grantTypes,
    redirectUris: m.redirectUris,
    postLogoutRedirectUris: m.postLogoutRedirectUris,
    logoUri: m.logoUri,
    clientUri: m.clientUri,
    metadataFetchedAt: fetchedAt,
    metadataExpiresAt: expiresAt,
  };
  const origins = redirectOrigins(m.redirectUris);
  const [row] = await db
    .insert(applications)
    .values({ clientId, clientSecret: '', secretHashed: false, skipAuthorization: false, userId: null, registrationMethod: 'metadata_document', allowedOrigins: origins, ...values })
    .onConflictDoUpdate({
      target: applications.clientId,
      // Origins are added, never replaced: staff may have set some of their own (the form).
      set: {
        ...values,
        allowedOrigins: sql`ARRAY(SELECT DISTINCT o FROM unnest(${applications.allowedOrigins} || ${textArray(origins)}) AS o ORDER BY o)`,
        version: sql`${applications.version} + 1`,
        updatedAt: sql`now()`,
      },
      setWhere: eq(applications.registrationMethod, 'metadata_document'),
    })
    .returning({ id: applications.id });
  await invalidateClient(clientId);
  return row ?? null;
}

/**
 * Inserts an RFC 7591 dynamically registered client (registrationMethod 'dynamic', no owner).
 * @param secret the stored client secret ('' for a public client)
 * @param registrationAccessTokenHash SHA-256 (base64url) of its RFC 7592 registration access token
 * @returns null when the client_id is taken (the caller draws another)
 */
/** A text[] literal of `values` for a statement (drizzle expands a bare array into a list). */
const textArray = (values: readonly string[]) =>
  values.length ? sql`ARRAY[${sql.join(values.map((v) => sql`${v}::text`), sql`, `)}]::text[]` : sql`'{}'::text[]`;

export async function createDynamicClient(
  clientId: string,
  m: RegisteredMetadata,
  secret: { clientSecret: string; secretHashed: boolean },
  registrationAccessTokenHash: string,
): Promise<Application | null> {
  const db = await getDb();
  const [row] = await db
    .insert(applications)
    .values({ clientId, ...secret, ...m, allowedOrigins: redirectOrigins(m.redirectUris), skipAuthorization: false, userId: null, registrationMethod: 'dynamic', registrationAccessTokenHash })
    .onConflictDoNothing({ target: applications.clientId })
    .returning();
  if (row) await invalidateClient(clientId);
  return row ?? null;
}

/** A dynamically registered client by client_id and the hash of its registration access token (RFC 7592 §3); null for anything else. */
export async function findDynamicClient(clientId: string, tokenHash: string): Promise<Application | null> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(applications)
    .where(and(eq(applications.clientId, clientId), eq(applications.registrationMethod, 'dynamic'), eq(applications.registrationAccessTokenHash, tokenHash)))
    .limit(1);
  return row ?? null;
}

/**
 * RFC 7592 §2.2: replaces the client's metadata (and, when given, its registration access token
 * hash). Null when it is gone. When the update changes the client's name or redirect URIs, the
 * users' consents to it are deleted first (what they agreed to was another name or destination: no
 * bait-and-switch); its tokens, codes and everything else stay.
 */
export async function updateDynamicClient(id: number, m: RegisteredMetadata, registrationAccessTokenHash?: string): Promise<Application | null> {
  const db = await getDb();
  const uris = textArray(m.redirectUris);
  await db.delete(consents).where(
    and(
      eq(consents.applicationId, id),
      sql`EXISTS (SELECT 1 FROM ${applications} a WHERE a.id = ${id} AND a.registration_method = 'dynamic' AND (a.name <> ${m.name} OR a.redirect_uris <> ${uris}))`,
    ),
  );
  const [row] = await db
    .update(applications)
    .set({ ...m, allowedOrigins: redirectOrigins(m.redirectUris), ...(registrationAccessTokenHash ? { registrationAccessTokenHash } : {}), version: sql`${applications.version} + 1`, updatedAt: sql`now()` })
    .where(and(eq(applications.id, id), eq(applications.registrationMethod, 'dynamic')))
    .returning();
  if (row) await invalidateClient(row.clientId);
  return row ?? null;
}

/** RFC 7592 §2.3: deletes the client; its codes, tokens and consents go with it (ON DELETE CASCADE). */
export async function deleteDynamicClient(id: number): Promise<boolean> {
  const db = await getDb();
  const [row] = await db
    .delete(applications)
    .where(and(eq(applications.id, id), eq(applications.registrationMethod, 'dynamic')))
    .returning({ clientId: applications.clientId });
  if (row) await invalidateClient(row.clientId);
  return Boolean(row);
}

/**
 * Staff: suspends (`suspended` true: suspendedAt = now, unless already set) or unsuspends an
 * application. A suspended client is refused everywhere (lib/db/queries/clients.ts appSuspended).
 * @returns its client_id and name, or null when there is no such application
 */
export async function setApplicationSuspended(id: number, suspended: boolean): Promise<{ clientId: string; name: string } | null> {
  const db = await getDb();
  const [row] = await db
    .update(applications)
    .set({
      suspendedAt: suspended ? sql`coalesce(${applications.suspendedAt}, now())` : null,
      version: sql`${applications.version} + 1`,
      updatedAt: sql`now()`,
    })
    .where(eq(applications.id, id))
    .returning({ clientId: applications.clientId, name: applications.name });
  if (row) await invalidateClient(row.clientId);
  return row ?? null;
}
