// Business rules of registering and managing applications (OAuth clients), used by the server
// actions of /o/applications/. No Next.js imports: the actions map ApplicationNotFoundError to 404.
//
// Secrets: generated with randomClientSecret() (128 chars). With "Hash client secret" on, only an
// argon2id PHC string is stored. The plain secret is returned exactly once — by createApplication,
// regenerateSecret, or updateApplication when it had to generate one — and never by a read.
// Every change bumps `version`, sets updatedAt and invalidates the protocol's client cache.
import { hashPassword } from '../auth/password';
import { randomClientId, randomClientSecret } from '../oauth/random';
import { audit } from '../db/queries/audit';
import { invalidateClient } from '../db/queries/clients';
import * as apps from '../db/queries/applications';
import type { ApplicationPatch, ApplicationSummary, ApplicationView, Viewer } from '../db/queries/applications';
import { listResources } from '../oauth/resources';
import { MAX_URIS, MESSAGES, checkRedirectUri, type ApplicationInput, type FieldErrors } from './schema';

export type { ApplicationView, ApplicationSummary };

export interface Actor extends Viewer {
  /** For the audit log. */
  ip?: string | null;
}

/** Another user's application, or one that does not exist: the same answer for both. */
export class ApplicationNotFoundError extends Error {
  constructor() {
    super('Application not found');
    this.name = 'ApplicationNotFoundError';
  }
}

export type Failure = { ok: false; errors: FieldErrors; message?: string };
export type Saved = { ok: true; application: ApplicationView; plainSecret: string | null };

async function storedSecret(plain: string, hashed: boolean): Promise<string> {
  return hashed ? hashPassword(plain) : plain;
}

/** The owner: the actor, unless staff named someone else by username. */
async function resolveOwner(input: ApplicationInput, actor: Actor, current: string | null): Promise<{ userId: string | null } | Failure> {
  // Non-staff cannot give an application away (or take one): a submitted owner is ignored.
  if (!actor.isStaff) return { userId: current ?? actor.id };
  if (!input.owner) return { userId: current ?? actor.id };
  const u = await apps.findUserByUsername(input.owner);
  if (!u || !u.isActive) return { ok: false, errors: { owner: [MESSAGES.ownerUnknown] } };
  return { userId: u.id };
}

/** Every allowed scope must be one a resource defines (the form offers only those). */
async function unknownAllowedScopes(input: ApplicationInput): Promise<Failure | null> {
  if (input.allowedScopes === null) return null;
  const known = new Set((await listResources()).flatMap((r) => r.scopes.map((s) => s.name)));
  const bad = input.allowedScopes.filter((s) => !known.has(s));
  return bad.length ? { ok: false, errors: { allowedScopes: bad.map(MESSAGES.allowedScopeUnknown) } } : null;
}

async function view(id: number, actor: Actor): Promise<ApplicationView> {
  const a = await apps.getForViewer(id, actor);
  if (!a) throw new ApplicationNotFoundError();
  return a;
}

export async function listApplications(actor: Actor): Promise<ApplicationSummary[]> {
  return apps.listForOwner(actor.id);
}

/** Throws ApplicationNotFoundError unless the actor owns it or is staff. */
export async function getApplication(id: number, actor: Actor): Promise<ApplicationView> {
  return view(id, actor);
}

/** Registers an application from the pages: owned by the actor (staff may name another owner). */
export async function createApplication(input: ApplicationInput, actor: Actor): Promise<Saved | Failure> {
  const owner = await resolveOwner(input, actor, null);
  if ('ok' in owner) return owner;
  // Skipping the consent screen lets the application obtain tokens for any signed-in user who
  // follows its link; DOT keeps it out of the registration form too. Staff only.
  const skipAuthorization = actor.isStaff ? input.skipAuthorization : false;
  const r = await insertApplication(input, { userId: owner.userId, skipAuthorization, registrationMethod: 'form' });
  if (!r.ok) return r;
  audit('application.created', { actorUserId: actor.id, applicationId: r.id, ip: actor.ip ?? null });
  return { ok: true, application: await view(r.id, actor), plainSecret: r.plainSecret };
}

/**
 * Registers an application from `npm run createapplication` (lib/admin/commands.ts), whose
 * operator is trusted as staff: `input.owner` names an active user by username, or the
 * application has no owner. registrationMethod 'command_line'.
 * @returns the saved application with its one-time secret (null when `input.clientSecret` was given), or the errors by field
 */
export async function createApplicationFromCommandLine(input: ApplicationInput): Promise<Saved | Failure> {
  let userId: string | null = null;
  if (input.owner) {
    const u = await apps.findUserByUsername(input.owner);
    if (!u || !u.isActive) return { ok: false, errors: { owner: [MESSAGES.ownerUnknown] } };
    userId = u.id;
  }
  const r = await insertApplication(input, { userId, skipAuthorization: input.skipAuthorization, registrationMethod: 'command_line' });
  if (!r.ok) return r;
  audit('application.created', { actorLabel: 'command_line', applicationId: r.id });
  return { ok: true, application: await view(r.id, { id: '', isStaff: true }), plainSecret: r.plainSecret };
}

/** The insert both registrations share: the secret (generated unless given), a free client id, the cache. */
async function insertApplication(
  input: ApplicationInput,
  o: { userId: string | null; skipAuthorization: boolean; registrationMethod: 'form' | 'command_line' },
): Promise<{ ok: true; id: number; plainSecret: string | null } | Failure> {
  const scopesRefused = await unknownAllowedScopes(input);
  if (scopesRefused) return scopesRefused;

  let plainSecret: string | null = null;
  let clientSecret = '';
  if (input.clientType === 'confidential') {
    plainSecret = input.clientSecret || randomClientSecret();
    clientSecret = await storedSecret(plainSecret, input.hashClientSecret);
  }

  // The form shows the id it will get; if that one is malformed or taken, draw a new one.
  let clientId = input.clientId ?? randomClientId();
  let created: { id: number; clientId: string } | null = null;
  for (let attempt = 0; attempt < 5 && !created; attempt++) {
    created = await apps.create({
      clientId,
      clientSecret,
      secretHashed: input.hashClientSecret,
      name: input.name,
      clientType: input.clientType,
      grantTypes: input.grantTypes,
      redirectUris: input.redirectUris,
      postLogoutRedirectUris: input.postLogoutRedirectUris,
      allowedOrigins: input.allowedOrigins,
      algorithm: input.algorithm,
      skipAuthorization: o.skipAuthorization,
      userId: o.userId,
      allowedScopes: input.allowedScopes,
      scopePolicy: input.scopePolicy,
      registrationMethod: o.registrationMethod,
    });
    if (!created) clientId = randomClientId();
  }
  if (!created) throw new Error('could not allocate a client id');

  // A lookup of this client id may have cached "unknown" before it existed.
  await invalidateClient(created.clientId);
  return { ok: true, id: created.id, plainSecret: input.clientSecret ? null : plainSecret };
}

export async function updateApplication(id: number, input: ApplicationInput, actor: Actor): Promise<Saved | Failure> {
  const current = await apps.getSecretStateForViewer(id, actor);
  if (!current) throw new ApplicationNotFoundError();
  const owner = await resolveOwner(input, actor, current.userId);
  if ('ok' in owner) return owner;
  const scopesRefused = await unknownAllowedScopes(input);
  if (scopesRefused) return scopesRefused;

  const patch: ApplicationPatch = {
    allowedScopes: input.allowedScopes,
    scopePolicy: input.scopePolicy,
    name: input.name,
    clientType: input.clientType,
    grantTypes: input.grantTypes,
    redirectUris: input.redirectUris,
    postLogoutRedirectUris: input.postLogoutRedirectUris,
    allowedOrigins: input.allowedOrigins,
    algorithm: input.algorithm,
    userId: owner.userId,
    secretHashed: input.hashClientSecret,
  };
  if (actor.isStaff) patch.skipAuthorization = input.skipAuthorization;

  let plainSecret: string | null = null;
  let secretChanged = false;
  if (input.clientType === 'public') {
    // A public client cannot keep a credential (RFC 6749 §2.1).
    patch.clientSecret = '';
    secretChanged = current.clientSecret !== '';
  } else if (input.clientSecret) {
    // The owner's own secret (the tutorial's "paste the same random string" reset).
    patch.clientSecret = await storedSecret(input.clientSecret, input.hashClientSecret);
    secretChanged = true;
  } else if (current.clientSecret === '') {
    // Public → confidential: it needs a secret now; shown once, like at creation.
    plainSecret = randomClientSecret();
    patch.clientSecret = await storedSecret(plainSecret, input.hashClientSecret);
    secretChanged = true;
  } else if (current.secretHashed && !input.hashClientSecret) {
    // A hash cannot be turned back into the secret.
    return { ok: false, errors: { clientSecret: [MESSAGES.secretHashedCannotUnhash] } };
  } else if (!current.secretHashed && input.hashClientSecret) {
    // Turning hashing on: hash the stored plain secret (the client keeps using the same one).
    patch.clientSecret = await hashPassword(current.clientSecret);
  }

  const r = await apps.update(id, actor, current.version, patch);
  if (r.status === 'not_found') throw new ApplicationNotFoundError();
  if (r.status === 'conflict') {
    return { ok: false, errors: {}, message: 'This application was changed meanwhile. Reload the page and make your changes again.' };
  }
  await invalidateClient(r.clientId);
  audit('application.updated', { actorUserId: actor.id, applicationId: id, ip: actor.ip ?? null });
  if (secretChanged) audit('application.secret_reset', { actorUserId: actor.id, applicationId: id, ip: actor.ip ?? null });
  return { ok: true, application: await view(id, actor), plainSecret };
}

export type RegenerateResult = { ok: true; application: ApplicationView; plainSecret: string } | { ok: false; message: string };

/** A new random secret for a confidential client, stored hashed or not as the application says. */
export async function regenerateSecret(id: number, actor: Actor): Promise<RegenerateResult> {
  const current = await apps.getSecretStateForViewer(id, actor);
  if (!current) throw new ApplicationNotFoundError();
  if (current.clientType !== 'confidential') return { ok: false, message: 'Public clients have no secret.' };
  const plainSecret = randomClientSecret();
  const row = await apps.regenerateSecret(id, actor, {
    clientSecret: await storedSecret(plainSecret, current.secretHashed),
    secretHashed: current.secretHashed,
  });
  if (!row) throw new ApplicationNotFoundError();
  await invalidateClient(row.clientId);
  audit('application.secret_reset', { actorUserId: actor.id, applicationId: id, ip: actor.ip ?? null });
  return { ok: true, application: await view(id, actor), plainSecret };
}

/**
 * Deletes the application and, by cascade, every code, token, consent and device code it holds.
 * @returns the deleted application's name (for the "Deleted <name>" notice)
 */
export async function deleteApplication(id: number, actor: Actor): Promise<{ name: string }> {
  const row = await apps.deleteForViewer(id, actor);
  if (!row) throw new ApplicationNotFoundError();
  await invalidateClient(row.clientId);
  audit('application.deleted', { actorUserId: actor.id, applicationId: id, ip: actor.ip ?? null, detail: { clientId: row.clientId } });
  return { name: row.name };
}

export type AddCallbackResult = { ok: true; added: boolean; application: ApplicationView } | { ok: false; message: string };

/**
 * "Add this callback to the application" (lib/apps/add-callback.ts): appends `uri`, exactly as the
 * authorization request sent it, to the application's redirect URIs. Only its owner may: the offer
 * comes from the owner's own request, so staff, who may edit any application through its form, are
 * refused here like anyone else. `uri` must pass the form's rule for a redirect URI (checkRedirectUri).
 * Concurrent edits are not overwritten (the version check of apps.update).
 * @returns added: false when `uri` was registered already; ok: false with the reason when refused
 * @throws ApplicationNotFoundError unless `actor` owns the application
 */
export async function addRedirectUri(id: number, uri: string, actor: Actor): Promise<AddCallbackResult> {
  const owner = { id: actor.id, isStaff: false };
  const app = await apps.getForViewer(id, owner);
  if (!app) throw new ApplicationNotFoundError();
  const problem = checkRedirectUri(uri);
  if (problem) return { ok: false, message: problem };
  if (app.redirectUris.includes(uri)) return { ok: true, added: false, application: app };
  if (app.redirectUris.length >= MAX_URIS) return { ok: false, message: MESSAGES.uriListTooLong };
  const r = await apps.update(id, owner, app.version, { redirectUris: [...app.redirectUris, uri] });
  if (r.status === 'not_found') throw new ApplicationNotFoundError();
  if (r.status === 'conflict') return { ok: false, message: 'This application was changed meanwhile. Reload the page and try again.' };
  await invalidateClient(r.clientId);
  audit('application.updated', { actorUserId: actor.id, applicationId: id, ip: actor.ip ?? null, detail: { added_redirect_uri: uri } });
  return { ok: true, added: true, application: await view(id, owner) };
}

/**
 * `npm run applications -- remove --client-id X`: deletes the application with exactly this
 * client_id, as deleteApplication does (its tokens, codes and consents go with it).
 * @returns its name and client_id, or null when no application has this client_id
 */
export async function deleteApplicationFromCommandLine(clientId: string): Promise<{ name: string; clientId: string } | null> {
  const staff = { id: '', isStaff: true };
  const found = await apps.findApplicationForAdmin(clientId);
  // findApplicationForAdmin also matches a row id: only an exact client_id counts here.
  const app = found ? await apps.getForViewer(found.id, staff) : null;
  if (!app || app.clientId !== clientId) return null;
  const row = await apps.deleteForViewer(app.id, staff);
  if (!row) return null;
  await invalidateClient(row.clientId);
  audit('application.deleted', { actorLabel: 'command_line', applicationId: row.id, detail: { clientId: row.clientId } });
  return { name: row.name, clientId: row.clientId };
}
