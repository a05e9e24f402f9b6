// The first admin of a fresh installation, without a terminal (issue 14): while no staff user
// exists, every start of the server (server.ts) makes a setup token, keeps only its SHA-256 in the
// database (so every worker agrees) and prints it once in the server's console; the setup page
// (/setup/, app/setup/) creates the first staff user with it. Whoever can read the server's
// console, and only they, can become the first admin. Once a staff user exists the page is gone and
// the token is void. No Next.js imports: server.ts, the page's action and the tests call this.
import { signupSchema, type FieldErrors } from './forms';
import { hashPassword } from './password';
import { createFirstAdmin, replaceSetupToken, setupState, staffExists } from '../db/queries/setup';
import { audit } from '../db/queries/audit';
import { beginTokenEntry, tooManyAttemptsMessage } from '../rate-limits';
import { randomString, sha256b64url, USER_CODE_ALPHABET } from '../oauth/random';
import { log } from '../log';
import type { User } from '../db/schema';

/** The setup page's path. */
export const SETUP_PATH = '/setup/';

/** 30 characters of a 20-letter alphabet: log2(20^30) ≈ 129.7 bits, above the 128 required. */
const TOKEN_LENGTH = 30;
const GROUP = 5;

/**
 * A new setup token: 30 random consonants (RFC 8628 §6.1's alphabet: no vowels, no look-alikes) in
 * groups of five, e.g. `BCDFG-HJKLM-NPQRS-TVWXZ-BCDFG-HJKLM` (35 characters: short enough that the
 * logger's scrubbing of 41+ character opaque strings leaves the one line meant to show it).
 */
export function newSetupToken(): string {
  const raw = randomString(TOKEN_LENGTH, USER_CODE_ALPHABET);
  return raw.match(new RegExp(`.{${GROUP}}`, 'g'))!.join('-');
}

/**
 * The canonical form of a typed setup token (upper case; spaces and dashes dropped, so a copy with
 * or without its grouping works), or null when it cannot be one (wrong length or letters).
 */
export function normalizeSetupToken(input: string | null | undefined): string | null {
  if (typeof input !== 'string' || input.length > 200) return null;
  const s = input.toUpperCase().replace(/[\s-]/g, '');
  if (s.length !== TOKEN_LENGTH) return null;
  for (const c of s) if (!USER_CODE_ALPHABET.includes(c)) return null;
  return s;
}

/** How the token is stored and looked up: the SHA-256 of its canonical form. */
const tokenHash = (canonical: string) => sha256b64url(canonical);

/**
 * The setup page's address with the token in the fragment (`…/setup/#BCDFG-…`): a fragment is never
 * sent to a server, so no proxy or access log sees it; the page's form reads it from there.
 */
export const setupUrl = (issuer: string, token: string): string => `${new URL(SETUP_PATH, issuer)}#${token}`;

/**
 * At the server's start: when no staff user exists, makes a setup token, stores its hash in place
 * of earlier starts' tokens and prints it once (event `setup.token`, with the URL to open). Returns
 * the token, or null when there is staff (nothing printed, nothing stored).
 */
export async function announceSetupToken(issuer: string): Promise<string | null> {
  if (await staffExists()) return null;
  const token = newSetupToken();
  if (!(await replaceSetupToken(tokenHash(normalizeSetupToken(token)!)))) return null;
  // The one log line that shows a secret, on purpose: the console is where the operator is.
  log.warn('setup.token', {
    msg: 'No administrator yet. To create the first admin, open this URL (or the setup page, and type the setup token). Valid until an admin exists or the server restarts.',
    url: setupUrl(issuer, token),
    setup: token,
  });
  return token;
}

/**
 * Whether the setup page is offered: no staff user exists yet, and a start of the server printed a
 * token (plain `next start`, without server.ts, prints none: nothing to offer there).
 */
export const setupNeeded = async (): Promise<boolean> => (await setupState()).token;

/** The setup form's fields (text as typed). */
export interface FirstAdminInput {
  token: string;
  username: string;
  email: string;
  password: string;
  password2: string;
}

export type FirstAdminResult =
  | { ok: true; user: User }
  /** Field errors (the form's names: token, username, email, password, password2), or a message about the whole form. */
  | { ok: false; errors?: FieldErrors; message?: string; gone?: boolean };

/**
 * Creates the first admin from the setup form, with the same rules as sign-up and createsuperuser
 * (signupSchema). The token is counted against the source's rate limit before it is checked
 * (lib/rate-limits.ts `beginTokenEntry`), and looked up by its SHA-256 only, as every token
 * here: the time taken says nothing about the token. Of concurrent submissions at most one creates
 * an admin (createFirstAdmin). `gone`: an admin exists, the page no longer applies.
 */
export async function submitFirstAdmin(input: FirstAdminInput, ip: string): Promise<FirstAdminResult> {
  if (await staffExists()) return { ok: false, gone: true, message: 'An administrator exists already: this setup page is closed. Log in instead.' };
  const parsed = signupSchema.safeParse({ username: input.username, email: input.email, password: input.password, password2: input.password2 });
  const errors: FieldErrors = parsed.success ? {} : { ...parsed.error.flatten().fieldErrors };
  const token = normalizeSetupToken(input.token);
  if (!token) errors.token = [input.token.trim() ? 'This is not a setup token: it has 30 letters, in groups of five.' : 'Enter the setup token printed in the server’s console.'];
  if (!parsed.success || !token) return { ok: false, errors };

  const attempt = await beginTokenEntry('setup_token', ip);
  if (!attempt.allowed) return { ok: false, message: tooManyAttemptsMessage('Too many wrong setup tokens.', attempt.retryAfterSeconds) };
  const { username, email, password } = parsed.data;
  const outcome = await createFirstAdmin(tokenHash(token), { username, email, passwordHash: await hashPassword(password) });
  if ('refused' in outcome) {
    switch (outcome.refused) {
      case 'staff_exists':
        return { ok: false, gone: true, message: 'An administrator exists already: this setup page is closed. Log in instead.' };
      case 'username_taken':
        await attempt.succeeded(); // the token was right
        return { ok: false, errors: { username: ['This username is taken.'] } };
      default:
        return { ok: false, errors: { token: ['Wrong setup token. Use the one the server printed at its latest start (event setup.token).'] } };
    }
  }
  await attempt.succeeded();
  audit('admin.action', { actorUserId: outcome.created.id, actorLabel: outcome.created.username, ip, detail: { action: 'first_admin', username: outcome.created.username } });
  log.info('setup.done', { username: outcome.created.username, msg: 'First admin created; the setup page is closed.' });
  return { ok: true, user: outcome.created };
}
