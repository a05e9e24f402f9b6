// The one-time notice an action leaves for the page it redirects to ("Saved", "Deleted Postman",
// "Logged out"): a short-lived cookie, sealed with an HMAC keyed from AUTH_SECRET, so a page shows
// only what this server wrote for this browser's user, on the page it meant, for a minute. A crafted
// link or a cookie set by a neighbouring site cannot put text on our pages (nothing is read from
// the URL), and the notice names things (an application's name) that a query parameter could not
// carry safely. Pure (node:crypto only): app/_lib/flash.ts reads and writes the cookie.
import { z } from 'zod';
import { derivedKey, hmacSha256, macMatches } from './mac';

/** How long a notice waits for its page, in seconds (a redirect arrives in well under a second). */
export const FLASH_MAX_AGE_SECONDS = 60;

/** The longest `arg` kept (an application's name is at most 255 characters, a redirect URI 2,000). */
const MAX_ARG = 2000;

/** What an action says happened, before it is sealed. */
export interface FlashNotice {
  /** A key of the notice table (app/_lib/notices.ts); the reader refuses any other. */
  code: string;
  /** The thing it names (an application's name, a redirect URI), shown as text; at most 2,000 characters. */
  arg?: string;
  /** A count (rows revoked, sessions signed out), a whole number. */
  n?: number;
}

const sealed = z.object({
  c: z.string().min(1).max(64),
  a: z.string().max(MAX_ARG).optional(),
  n: z.number().int().min(0).max(1_000_000).optional(),
  /** The path of the page it is for. */
  p: z.string().max(2000),
  /** The user it is for ('' when nobody is signed in, e.g. after logging out). */
  u: z.string().max(64),
  /** Expiry, seconds since the epoch. */
  e: z.number().int(),
});

const mac = (secret: string, body: string) => hmacSha256(derivedKey(secret, 'flash', 'flash notice MAC v1'), body);

/**
 * The cookie value for `notice`, for the page at `path` and the user `userId`.
 * @param secret AUTH_SECRET (≥ 32 characters)
 * @param now milliseconds since the epoch
 * @returns `<base64url JSON>.<base64url HMAC-SHA-256>`, under 3 KiB for any notice
 */
export function sealFlash(notice: FlashNotice, to: { path: string; userId: string | null }, secret: string, now = Date.now()): string {
  const payload: z.infer<typeof sealed> = {
    c: notice.code,
    ...(notice.arg !== undefined ? { a: notice.arg.slice(0, MAX_ARG) } : {}),
    ...(notice.n !== undefined ? { n: notice.n } : {}),
    p: to.path,
    u: to.userId ?? '',
    e: Math.floor(now / 1000) + FLASH_MAX_AGE_SECONDS,
  };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

/**
 * The notice in a cookie value, when this server sealed it for this page and user and it has not
 * expired; otherwise null (a forged, altered, stale or misdirected value is ignored, never an error).
 * @param at the path of the page reading it
 * @param userId the signed-in user reading it, or null
 */
export function openFlash(value: string | undefined, at: { path: string; userId: string | null }, secret: string, now = Date.now()): FlashNotice | null {
  if (!value || value.length > 4096) return null;
  const dot = value.indexOf('.');
  if (dot < 1) return null;
  const body = value.slice(0, dot);
  if (!macMatches(value.slice(dot + 1), mac(secret, body))) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const r = sealed.safeParse(json);
  if (!r.success) return null;
  const f = r.data;
  if (f.p !== at.path || f.u !== (at.userId ?? '') || f.e * 1000 < now) return null;
  return { code: f.c, ...(f.a !== undefined ? { arg: f.a } : {}), ...(f.n !== undefined ? { n: f.n } : {}) };
}
