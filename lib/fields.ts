// The one definition of each kind of field we accept at an edge (pages' searchParams, server
// actions' FormData, route handlers, the node:http door): a line of text, a block of text, an
// email address, a user id (uuid), a row id. Every zod schema of a form, filter or body builds
// its fields from these, so a rule (no NUL, a length limit) holds everywhere at once.
// PostgreSQL refuses NUL in text (SQLSTATE 22021) and a malformed uuid (22P02): a value must pass
// one of these before it reaches a query. Pure: no Node or Next.js imports (bundled for forms too).
import { z } from 'zod';

/**
 * C0 controls, DEL, C1 controls, and the bidirectional embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069: "Trojan Source", CVE-2021-42574, which make a name or URL read
 * otherwise than it is): no single line of text holds one (NUL, tab, line breaks, escape, U+202E…).
 */
const CONTROL_CHARS = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
/** The same except tab, line feed and carriage return: none belongs in a block of text either. */
const CONTROL_CHARS_EXCEPT_LINE_BREAKS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

/** A user id: a uuid in its canonical 8-4-4-4-12 hexadecimal form (RFC 9562 §4). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A row id (bigserial): a positive decimal integer without leading zeros, at most 16 digits. */
const ROW_ID = /^[1-9][0-9]{0,15}$/;

export const FIELD_MESSAGES = {
  control: 'Remove the control characters (such as NUL, tab or a line break): this field takes one line of text.',
  controlInBlock: 'Remove the control characters (such as NUL): only tabs and line breaks are allowed here.',
  tooLong: (max: number) => `At most ${max.toLocaleString('en')} characters.`,
  email: 'Enter a valid email address.',
} as const;

/** True when `s` holds a NUL character, which no field of ours (and no PostgreSQL text value) may hold. */
export const hasNul = (s: string): boolean => s.includes('\0');

/** True when `s` holds a control character (C0 or DEL), which no single-line field may hold. */
export const hasControlChars = (s: string): boolean => CONTROL_CHARS.test(s);

/**
 * The first string inside a parsed JSON value (object members, array items, at any depth) that
 * holds a control character (hasControlChars), as its path (`client_name`, `redirect_uris.0`);
 * null when none does. For JSON bodies of free-form metadata (RFC 7591), where every text field is one line.
 */
export function controlCharPath(v: unknown, path = ''): string | null {
  if (typeof v === 'string') return hasControlChars(v) ? path || 'value' : null;
  if (v === null || typeof v !== 'object') return null;
  for (const [k, x] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
    const found = controlCharPath(x, path ? `${path}.${k}` : String(k));
    if (found !== null) return found;
  }
  return null;
}

/** True when `s` is a user id (a uuid, RFC 9562 §4; hexadecimal in either case). */
export const isUuid = (s: string): boolean => UUID.test(s);

/**
 * A row id (a bigserial key) from text: a positive integer of at most 16 digits that JavaScript
 * holds exactly (Number.isSafeInteger), or null for anything else (text, 0, leading zeros, a sign).
 * @param raw a route segment, form field or query value; a number is accepted as is when it qualifies
 */
export function parseRowId(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw > 0 ? raw : null;
  if (typeof raw !== 'string' || !ROW_ID.test(raw)) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : null;
}

/** True when `s` is a row id as parseRowId reads it. */
export const isRowId = (s: string): boolean => parseRowId(s) !== null;

/** A control character shown as U+FFFD, so a refused value can be echoed into its field visibly and harmlessly. */
export const visibleText = (s: string): string => s.replace(new RegExp(CONTROL_CHARS_EXCEPT_LINE_BREAKS.source, 'g'), '\uFFFD');

interface TextOptions {
  /** Most characters (UTF-16 code units) after trimming. */
  max: number;
  /** Fewest characters after trimming (default 0). */
  min?: number;
  /** The message when shorter than `min` (e.g. "Enter a name."). */
  minMessage?: string;
  /** The message when longer than `max` (default "At most N characters."). */
  maxMessage?: string;
  /** The message for a control character (default: FIELD_MESSAGES.control or .controlInBlock). */
  controlMessage?: string;
}

/**
 * One line of text, as an <input> holds it: trimmed, `min`..`max` characters, no control character.
 * @returns a zod string schema; its errors are the messages shown next to the field
 */
export function singleLineText({ max, min = 0, minMessage, maxMessage, controlMessage }: TextOptions) {
  let s = z.string().trim();
  if (min > 0) s = s.min(min, minMessage ?? `At least ${min} characters.`);
  return s.max(max, maxMessage ?? FIELD_MESSAGES.tooLong(max)).refine((v) => !hasControlChars(v), { message: controlMessage ?? FIELD_MESSAGES.control, abort: true });
}

/**
 * A block of text, as a <textarea> holds it: trimmed, `min`..`max` characters; tabs and line
 * breaks are allowed, other control characters (NUL among them) are not.
 */
export function multiLineText({ max, min = 0, minMessage, maxMessage, controlMessage }: TextOptions) {
  let s = z.string().trim();
  if (min > 0) s = s.min(min, minMessage ?? `At least ${min} characters.`);
  return s
    .max(max, maxMessage ?? FIELD_MESSAGES.tooLong(max))
    .refine((v) => !CONTROL_CHARS_EXCEPT_LINE_BREAKS.test(v), { message: controlMessage ?? FIELD_MESSAGES.controlInBlock, abort: true });
}

/**
 * An email address as people type it: one line, at most 254 characters (RFC 5321 §4.5.3.1.3),
 * a local part and a domain around one '@', no spaces or control characters. Deliverability is
 * not checked here.
 */
export const emailAddress = () =>
  singleLineText({ max: 254 }).refine((v) => /^[^\s@]+@[^\s@]+$/.test(v), FIELD_MESSAGES.email);

/**
 * An optional list filter typed into a search box (a query parameter): one line of at most `max`
 * characters; absent means '' (no filter).
 */
export const filterText = (max: number) => singleLineText({ max }).optional().default('');

/** A user id (uuid) field; `message` is what a wrong value is told. */
export const uuidField = (message = 'Not a user id.') => z.string().regex(UUID, message);

/** A row id field: text in, the number out (parseRowId). */
export const rowIdField = (message = 'Not an id.') =>
  z.string().transform((s, ctx) => {
    const n = parseRowId(s);
    if (n === null) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return n;
  });

/**
 * The entry of `table` that an input value names: own keys only, so a value such as `constructor`,
 * `toString` or `__proto__` names nothing (a plain object's lookup would return Object's methods).
 * @param key any input value (a query parameter, a form field); only a string can name an entry
 */
export function ownEntry<T>(table: Readonly<Record<string, T>>, key: unknown): T | undefined {
  return typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined;
}
