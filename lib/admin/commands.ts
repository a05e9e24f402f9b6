// The scripted setup's commands (`npm run resource`, `npm run createapplication`,
// `npm run applications`; scripts/*.ts): one request type, validated here with zod whoever sends
// it, run by runCommand either in the CLI's own process (PostgreSQL, or PGlite with the server
// stopped) or by the running server that holds the embedded database (lib/server/control-socket.ts).
// The rules are the pages': the resource schema (lib/resources/schema.ts) and the application
// schema (lib/apps/schema.ts). No Next.js imports.
import { z } from 'zod';
import { parseApplicationValues } from '../apps/schema';
import { createApplicationFromCommandLine, deleteApplicationFromCommandLine } from '../apps/service';
import * as apps from '../db/queries/applications';
import { createResource, deleteResource, listResourcesFor, type ResourceRow } from '../resources/service';
import { errorLines } from '../resources/schema';
import { AdminNotFoundError } from './service';
import { log } from '../log';

const text = z.string().max(20_000);
const list = z.array(text).max(200);

/** Every request a command sends; anything else is refused as unknown. */
export const commandRequest = z.discriminatedUnion('command', [
  z.object({
    command: z.literal('resource.create'),
    identifier: text,
    name: text,
    scopes: z.array(z.object({ name: text, description: text })).max(200),
    accessTokenFormat: text,
    accessTokenLifetimeSeconds: text.nullable(),
  }),
  z.object({ command: z.literal('resource.list') }),
  z.object({ command: z.literal('resource.remove'), identifier: text }),
  z.object({
    command: z.literal('application.create'),
    name: text,
    clientType: text,
    grantTypes: list,
    redirectUris: list,
    postLogoutRedirectUris: list,
    allowedOrigins: list,
    allowedScopes: list.nullable(),
    scopePolicy: text,
    algorithm: text,
    owner: text.nullable(),
    clientId: text.nullable(),
    clientSecret: text.nullable(),
    hashClientSecret: z.boolean(),
    skipAuthorization: z.boolean(),
  }),
  z.object({ command: z.literal('application.list') }),
  z.object({ command: z.literal('application.remove'), clientId: text }),
]);
export type CommandRequest = z.infer<typeof commandRequest>;
export const COMMANDS: readonly string[] = commandRequest.options.map((o) => o.shape.command.value);

/** A command's answer: `message` for the person at the terminal, `data` for --json. */
export interface CommandAnswer {
  ok: boolean;
  message: string;
  data?: Record<string, unknown>;
}

const resourceJson = (r: ResourceRow) => ({
  identifier: r.identifier,
  name: r.name,
  scopes: r.scopes,
  access_token_format: r.accessTokenFormat,
  access_token_lifetime_seconds: r.accessTokenLifetimeSeconds,
  built_in: r.builtIn,
});

const refused = (message: string): CommandAnswer => ({ ok: false, message });

/**
 * Runs one command request (validated here: it may come over the control socket). Refusals (bad
 * input, unknown identifier or client_id, the built-in resource) are `ok: false` with the reason,
 * one line per field; unexpected errors are logged and answered without detail.
 */
export async function runCommand(raw: unknown): Promise<CommandAnswer> {
  const parsed = commandRequest.safeParse(raw);
  if (!parsed.success) return refused('Unknown request.');
  const req = parsed.data;
  try {
    switch (req.command) {
      case 'resource.create': {
        const { command: _, ...values } = req;
        const r = await createResource('command_line', values);
        if (!r.ok) return refused(errorLines(r.errors));
        const scopes = r.resource.scopes.map((s) => s.name).join(' ') || 'none';
        return { ok: true, message: `Resource "${r.resource.name}" registered: ${r.resource.identifier} (scopes: ${scopes}).`, data: { resource: resourceJson(r.resource) } };
      }
      case 'resource.list': {
        const rows = await listResourcesFor('command_line');
        const lines = rows.map((r) => `${r.identifier}\t${r.name}\t${r.accessTokenFormat}\t${r.scopes.map((s) => s.name).join(' ')}${r.builtIn ? '\t(built in)' : ''}`);
        return { ok: true, message: lines.join('\n') || 'No resources.', data: { resources: rows.map(resourceJson) } };
      }
      case 'resource.remove': {
        const r = await deleteResource('command_line', { identifier: req.identifier });
        if (!r.ok) return refused(r.message);
        return {
          ok: true,
          message: `Resource "${r.resource.name}" removed (${r.resource.identifier}). Its refresh tokens are revoked; access tokens already issued stay valid until they expire.`,
          data: { removed: resourceJson(r.resource) },
        };
      }
      case 'application.create': {
        const p = parseApplicationValues({
          name: req.name,
          clientId: req.clientId ?? undefined,
          clientType: req.clientType,
          grantTypes: req.grantTypes,
          redirectUris: req.redirectUris.join('\n'),
          postLogoutRedirectUris: req.postLogoutRedirectUris.join('\n'),
          allowedOrigins: req.allowedOrigins.join('\n'),
          algorithm: req.algorithm,
          hashClientSecret: req.hashClientSecret,
          skipAuthorization: req.skipAuthorization,
          owner: req.owner ?? undefined,
          clientSecret: req.clientSecret ?? undefined,
          allowedScopes: req.allowedScopes,
          scopePolicy: req.scopePolicy,
        });
        if (!p.success) return refused(errorLines(p.errors));
        // A client_id of the operator's choosing must be the form's kind; a malformed one is not silently replaced.
        if (req.clientId !== null && p.data.clientId !== req.clientId) return refused('clientId: 40 letters and digits.');
        const r = await createApplicationFromCommandLine(p.data);
        if (!r.ok) return refused([r.message, errorLines(r.errors)].filter(Boolean).join('\n'));
        const a = r.application;
        const secretLine = r.plainSecret ? `\nclient_secret: ${r.plainSecret}\n(Shown once: it is stored ${a.secretHashed ? 'hashed' : 'as is'} and never printed again.)` : '';
        return {
          ok: true,
          message: `Application "${a.name}" created.\nclient_id: ${a.clientId}${secretLine}`,
          data: {
            id: a.id,
            client_id: a.clientId,
            client_secret: r.plainSecret,
            name: a.name,
            client_type: a.clientType,
            grant_types: a.grantTypes,
            redirect_uris: a.redirectUris,
            allowed_scopes: a.allowedScopes,
            scope_policy: a.scopePolicy,
            owner: a.ownerUsername,
            registration_method: a.registrationMethod,
          },
        };
      }
      case 'application.list': {
        const rows: apps.AdminAppRow[] = [];
        for (let after: number | undefined; ; ) {
          const page = await apps.listApplications({ q: '', after, limit: 500 });
          rows.push(...page.rows);
          if (!page.next) break;
          after = Number(page.next);
        }
        const lines = rows.map((a) => `${a.clientId}\t${a.clientType}\t${a.name}\t${a.ownerUsername ?? '-'}`);
        return {
          ok: true,
          message: lines.join('\n') || 'No applications.',
          data: {
            applications: rows.map((a) => ({
              id: a.id,
              client_id: a.clientId,
              name: a.name,
              client_type: a.clientType,
              grant_types: a.grantTypes,
              owner: a.ownerUsername,
              suspended: a.suspended,
            })),
          },
        };
      }
      case 'application.remove': {
        const r = await deleteApplicationFromCommandLine(req.clientId);
        if (!r) return refused(`No application has the client_id ${JSON.stringify(req.clientId.slice(0, 100))}.`);
        return { ok: true, message: `Application "${r.name}" removed, with its tokens, codes and consents.`, data: { removed: { client_id: r.clientId, name: r.name } } };
      }
    }
  } catch (e) {
    if (e instanceof AdminNotFoundError) return refused(req.command === 'resource.remove' ? `No resource has the identifier ${JSON.stringify(req.identifier.slice(0, 200))}.` : 'Not found.');
    log.error('command.failed', { command: req.command, err: e });
    return refused('The command failed: see the log.');
  }
}
