// The rules of registering resources (RFC 8707 APIs), for the staff pages (app/admin/resources/)
// and the command line (`npm run resource`, lib/admin/commands.ts). A staff actor is checked
// (AdminNotFoundError otherwise, as everywhere in the staff area); the command line is trusted as
// the server's operator. Every change writes an 'admin.action' audit event and invalidates the
// protocol's cached list (invalidateResources). No Next.js imports.
import { audit } from '../db/queries/audit';
import * as q from '../db/queries/resources';
import { AdminNotFoundError, assertStaff, type StaffActor } from '../admin/service';
import { builtInIdentifier, ensureBuiltIn, invalidateResources } from '../oauth/resources';
import { env } from '../env';
import { parseResourceValues, RESOURCE_MESSAGES, type ResourceFieldErrors, type ResourceInput } from './schema';

export type ResourceRow = q.ResourceRow;
/** Staff on the pages, or the operator at the command line. */
export type ResourceActor = StaffActor | 'command_line';

export type ResourceSaved = { ok: true; resource: ResourceRow };
export type ResourceRefused = { ok: false; errors: ResourceFieldErrors };

async function check(actor: ResourceActor): Promise<void> {
  if (actor !== 'command_line') await assertStaff(actor);
}

/** After a change: this process's cache and every other process's (NOTIFY on PostgreSQL). */
async function changed(): Promise<void> {
  await invalidateResources();
}

function record(actor: ResourceActor, action: string, r: { id: number; identifier: string }): void {
  const who = actor === 'command_line' ? { actorLabel: 'command_line' } : { actorUserId: actor.id, ip: actor.ip ?? null };
  audit('admin.action', { ...who, detail: { action, resource_id: r.id, identifier: r.identifier } });
}

/**
 * The rule "a scope name belongs to exactly one resource": allowed scopes (applications.allowedScopes)
 * and consent name scopes, not resources, so a name two resources define would allow both at once.
 * Checks `input`'s scopes against every other resource's (the built-in one's: the SCOPES setting).
 * @param exceptId the resource being edited (its own scopes do not clash)
 * @returns the errors at each clashing row's name (its position in `raw`, as sent), or null
 */
async function scopeClashes(raw: unknown, input: ResourceInput, exceptId: number | null): Promise<ResourceFieldErrors | null> {
  const e = env();
  await ensureBuiltIn(); // its scopes (SCOPES) count even before the first token request
  const owners = new Map<string, string>();
  for (const r of await q.selectResources()) {
    if (r.id === exceptId || r.identifier === input.identifier) continue; // the same identifier: 'identifierTaken' says it
    const names = r.builtIn ? e.SCOPES : (Array.isArray(r.scopes) ? r.scopes : []).map((x) => x.name);
    for (const n of names) owners.set(n, `“${r.name}” (${r.builtIn ? builtInIdentifier(e) : r.identifier})`);
  }
  // Positions as sent: the schema dropped empty rows, so find each kept name among the raw rows.
  const rows = (raw as { scopes?: { name?: unknown }[] } | null)?.scopes ?? [];
  const errors: ResourceFieldErrors = {};
  for (const s of input.scopes) {
    const owner = owners.get(s.name);
    if (!owner) continue;
    const i = rows.findIndex((r) => typeof r?.name === 'string' && r.name.trim() === s.name);
    errors[i >= 0 ? (`scopes.${i}.name` as const) : 'scopes'] = [RESOURCE_MESSAGES.scopeNameTaken(s.name, owner)];
  }
  return Object.keys(errors).length ? errors : null;
}

/** Every resource, the built-in first. */
export async function listResourcesFor(actor: ResourceActor): Promise<ResourceRow[]> {
  await check(actor);
  await ensureBuiltIn();
  return q.listResourceRows();
}

/** One resource, with how many unexpired access tokens name it (the delete confirmation says so). */
export async function getResourceFor(actor: ResourceActor, id: number): Promise<ResourceRow & { liveTokens: number }> {
  await check(actor);
  const r = await q.findResourceById(id);
  if (!r) throw new AdminNotFoundError();
  return { ...r, liveTokens: await q.liveAccessTokenCount(r.identifier) };
}

/**
 * Registers a resource from raw values (the form's or the command line's: resourceSchema).
 * @returns the stored row, or the errors by field (an identifier already registered: `identifier`;
 *   a scope name another resource defines: `scopes.<row>.name`, see scopeClashes)
 */
export async function createResource(actor: ResourceActor, values: unknown): Promise<ResourceSaved | ResourceRefused> {
  await check(actor);
  const p = parseResourceValues(values);
  if (!p.success) return { ok: false, errors: p.errors };
  const clash = await scopeClashes(values, p.data, null);
  if (clash) return { ok: false, errors: clash };
  const row = await q.insertResource(p.data);
  if (!row) return { ok: false, errors: { identifier: [RESOURCE_MESSAGES.identifierTaken] } };
  await changed();
  record(actor, 'resource.created', row);
  return { ok: true, resource: row };
}

/**
 * Changes resource `id`. The built-in resource keeps its identifier (ISSUER/api): a different one
 * is refused. Tokens already issued keep the scopes and lifetime they were issued with.
 * @throws AdminNotFoundError when there is no such resource
 */
export async function updateResource(actor: ResourceActor, id: number, values: unknown): Promise<ResourceSaved | ResourceRefused> {
  await check(actor);
  const current = await q.findResourceById(id);
  if (!current) throw new AdminNotFoundError();
  const p = parseResourceValues(values);
  if (!p.success) return { ok: false, errors: p.errors };
  if (current.builtIn && p.data.identifier !== current.identifier) return { ok: false, errors: { identifier: [RESOURCE_MESSAGES.identifierBuiltIn] } };
  const clash = current.builtIn ? null : await scopeClashes(values, p.data, id); // the built-in's scopes are the SCOPES setting
  if (clash) return { ok: false, errors: clash };
  const row = await q.updateResource(id, p.data);
  if (row === null) throw new AdminNotFoundError();
  if (row === 'taken') return { ok: false, errors: { identifier: [RESOURCE_MESSAGES.identifierTaken] } };
  await changed();
  record(actor, 'resource.updated', row);
  return { ok: true, resource: row };
}

export type ResourceDeleted = { ok: true; resource: ResourceRow } | { ok: false; message: string };

/**
 * Removes a resource (by row id or identifier) and revokes the refresh tokens of grants for it, so
 * no new access token is issued for it. The built-in resource cannot be removed. Access tokens
 * already issued stay valid until they expire (a JWT is verifiable offline anyway); new requests
 * naming it get `invalid_target`.
 * @throws AdminNotFoundError when there is no such resource
 */
export async function deleteResource(actor: ResourceActor, where: { id: number } | { identifier: string }): Promise<ResourceDeleted> {
  await check(actor);
  const r = await q.deleteResource(where);
  if (r === null) throw new AdminNotFoundError();
  if (r === 'built_in') return { ok: false, message: 'The built-in resource cannot be removed: it is the issuer’s own /api.' };
  await changed();
  record(actor, 'resource.deleted', r);
  return { ok: true, resource: r };
}
