// The arguments of a server action as they arrive: decoded from the browser's request body, so
// any value a request can carry, whatever the TypeScript signature says. Each action reads its
// arguments through these before touching them (zod at the boundary), and refuses what no form of
// ours sends with a 404, as for an unknown action, instead of a TypeError (a 500).
import { notFound } from 'next/navigation';
import { z } from 'zod';

/**
 * The FormData a form action receives, or a 404 when the request sent anything else.
 * @param arg the action's form argument as decoded by React
 */
export function formArg(arg: unknown): FormData {
  if (!(arg instanceof FormData)) notFound();
  return arg;
}

const withSeq = z.object({ seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER - 1) });

/**
 * The counter of the previous useActionState state (0 when absent or malformed): the only part of
 * a previous state the actions read. The browser sends that state back, so it is input like any other.
 */
export function previousSeq(prev: unknown): number {
  const r = withSeq.safeParse(prev);
  return r.success ? r.data.seq : 0;
}

/**
 * One text field of a form: the string sent, or '' when the field is absent or is a file.
 * Validation is the caller's schema (built from lib/fields.ts); this only removes the File case.
 */
export function formText(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === 'string' ? v : '';
}
