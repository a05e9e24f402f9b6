// "Try it", the playground of an application (app/o/applications/[id]/try/): its address, its
// callback on this server, and the message the callback hands to the playground's tab. The
// authorization request opens in a new tab; the server sends that tab to the playground's callback
// (a registered redirect URI of the application, added by its owner through the confirmation
// ADD_PLAYGROUND_CALLBACK), whose page posts the authorization response on the BroadcastChannel
// PLAYGROUND_CHANNEL (same origin only). The playground tab takes only a response whose `state` is
// the one it sent (RFC 6749 §10.12) and whose `iss` is this server (RFC 9207 §2.4), and answers it
// with an acknowledgement naming the message's `id`: only then does the callback page say the
// answer arrived, and close (else it says no playground tab received it).
// Pure: no Node.js, Next.js or settings imports (the browser uses it).
import { z } from 'zod';
import { pathFor, urlFor } from '../oauth/paths';

/** The playground page of the application with row id `id`. */
export const playgroundPath = (id: number) => `${pathFor('applications')}${id}/try/`;

/** The playground's callback under `issuer` (ISSUER): the redirect URI its authorization requests name. */
export const playgroundCallbackUrl = (issuer: string) => urlFor('playground_callback', issuer);

/** The confirmation's name in `?confirm=` (lib/http/confirm-step.ts) for adding the playground's callback. */
export const ADD_PLAYGROUND_CALLBACK = 'add-playground-callback';

/** The BroadcastChannel the callback page posts on. */
export const PLAYGROUND_CHANNEL = 'oauth-playground';

/** The longest value of a callback parameter kept (a code, a state: far shorter). */
const MAX = 2048;
const param = z.string().max(MAX).nullable();

/** The authorization response (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207 `iss`) as the callback page posts it. */
export const callbackMessageSchema = z.object({
  type: z.literal('authorization_response'),
  /** A random id for this message, which the acknowledgement names (not a secret). */
  id: z.string().min(1).max(64).optional(),
  code: param,
  state: param,
  iss: param,
  error: param,
  error_description: param,
});
export type CallbackMessage = z.infer<typeof callbackMessageSchema>;

/**
 * The message for the query of a callback URL (`location.search`): each parameter once, or null.
 * @param search the query, "?" optional
 */
export function callbackMessage(search: string, id?: string): CallbackMessage {
  const q = new URLSearchParams(search);
  const one = (k: string) => {
    const all = q.getAll(k);
    return all.length === 1 && all[0].length <= MAX ? all[0] : null;
  };
  return { type: 'authorization_response', ...(id ? { id } : {}), code: one('code'), state: one('state'), iss: one('iss'), error: one('error'), error_description: one('error_description') };
}

/** The playground's acknowledgement of the callback message `id`: it took the answer as its own. */
export const callbackAck = (id: string) => ({ type: 'authorization_response_ack' as const, id });

/** Whether `data` (untrusted, from the channel) acknowledges the message `id`. */
export function isCallbackAck(data: unknown, id: string): boolean {
  const m = z.object({ type: z.literal('authorization_response_ack'), id: z.string() }).safeParse(data);
  return m.success && m.data.id === id;
}

/** How long the callback page waits for the playground's acknowledgement, in milliseconds. */
export const CALLBACK_ACK_WAIT_MS = 3000;

export type CallbackReading = { ok: true; code: string } | { ok: false; error: string; description: string | null; ours: boolean };

/**
 * What the playground makes of a posted message: the code, when the state is the one it sent and
 * the issuer (when given) is this server; otherwise why not. `ours` is false for a message that
 * belongs to another playground tab (another state): it is ignored, not shown.
 * @param data the message's data (untrusted: any tab of this origin may post)
 */
export function readCallbackMessage(data: unknown, expected: { state: string; issuer: string }): CallbackReading | null {
  const m = callbackMessageSchema.safeParse(data);
  if (!m.success) return null;
  const { state, iss, error, error_description: description, code } = m.data;
  if (state !== expected.state) return { ok: false, error: 'state_mismatch', description: 'The state is not the one this page sent: another tab’s sign-in, or a forged callback.', ours: false };
  if (iss !== null && iss !== expected.issuer) return { ok: false, error: 'issuer_mismatch', description: `The response names another issuer (${iss}).`, ours: true };
  if (error) return { ok: false, error, description, ours: true };
  if (!code) return { ok: false, error: 'invalid_request', description: 'The callback has no code.', ours: true };
  return { ok: true, code };
}
