// The one confirmation pattern's address. Every destructive action (deleting an application,
// revoking an authorized one, regenerating a secret, signing sessions out, the staff's revocations
// and deactivations) and the error page's "Add this callback" take two steps: a GET that opens the
// confirmation on the same page (`?confirm=<what>` and the target's parameters), then the
// confirmation's form, whose button names what it does. Both work without JavaScript; Cancel is a
// link back to the page. app/_components/confirm.tsx draws it. Pure: no Node.js or Next.js imports.

/** The query parameter that opens a confirmation on a page. */
export const CONFIRM_PARAM = 'confirm';

/**
 * `path` with the confirmation of `what` open.
 * @param path the page's path (no query)
 * @param what which confirmation (each page names its own: 'delete', 'revoke', …)
 * @param params the target (an id) and the page's own state (filters) to keep; empty values are dropped
 * @returns a same-site path with its query
 */
export function confirmHref(path: string, what: string, params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams({ [CONFIRM_PARAM]: what });
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  return `${path}?${q}`;
}

/** Whether a page's search params open the confirmation `what`. */
export function isConfirming(sp: Record<string, string | string[] | undefined>, what: string): boolean {
  return sp[CONFIRM_PARAM] === what;
}
